import {
  encodeDeadLetterValue,
  encodeTopicRecord,
  SpansTopicRecord,
  Topics,
} from '@agentmon/contracts';
import {
  buildSummaries,
  ClosedTrace,
  EmissionContext,
  floorClaims,
  LateRecord,
  planEmission,
  RevisionBasis,
  SamplingPolicy,
  traceKeyId,
  tracesToLookUp,
  TraceAssembler,
  usersOf,
} from '@agentmon/sessionizer-domain';
import type {
  Admission,
  PartitionRecords,
  Stage,
  StageDeadLetter,
  WireRecord,
} from '@agentmon/stream-runtime';
import { SpansAdmission } from './spans-admission';
import type { SessionizerOutput, SessionizerSinks } from '../ports/sessionizer-sinks.port';

/** What the sessionizer writes in a cycle: a trace that closed, or a record of one already closed. */
export type SessionizerUnit =
  { kind: 'closed'; trace: ClosedTrace } | { kind: 'late'; record: LateRecord };

/** What the stage reports besides the runtime's own metrics. */
export interface SessionizerEvents {
  tracesClosed(reasons: Record<string, number>): void;
  revisionsEmitted(count: number): void;
  lateSpansIgnored(count: number): void;
  orphanFeedback(count: number): void;
  unpricedModels(models: string[]): void;
}

/**
 * spans → traces. The pure TraceAssembler holds open traces; a cycle's units are the traces it
 * closed and the records that came for traces already closed; `write` decides (pure, in the
 * domain) what becomes a summary or a revision and hands it to the sinks port.
 */
export class SessionizerStage implements Stage<typeof Topics.spans, SessionizerUnit> {
  readonly input = Topics.spans;
  private pending: SessionizerUnit[] = [];

  private readonly context: EmissionContext & { sampler: SamplingPolicy };

  constructor(
    private readonly assembler: TraceAssembler,
    sampler: SamplingPolicy,
    context: EmissionContext,
    private readonly sinks: SessionizerSinks,
    private readonly events: SessionizerEvents,
    private readonly admission?: SpansAdmission,
  ) {
    this.context = { ...context, sampler };
  }

  admit(wire: WireRecord<SpansTopicRecord>): Admission<SpansTopicRecord> {
    return this.admission ? this.admission.admit(wire) : { ok: true, value: wire.record };
  }

  get openTraces(): number {
    return this.assembler.openTraceCount;
  }

  ingest(batch: PartitionRecords<typeof Topics.spans>, now: number): void {
    for (const record of batch.records) {
      const result = this.assembler.ingest(
        record.value,
        { partition: batch.partition, offset: BigInt(record.offset) },
        now,
      );
      for (const trace of result.closed) this.pending.push({ kind: 'closed', trace });
      for (const late of result.late) this.pending.push({ kind: 'late', record: late });
    }
  }

  tick(now: number): void {
    for (const trace of this.assembler.expire(now)) this.pending.push({ kind: 'closed', trace });
  }

  takeOutput(): SessionizerUnit[] {
    const units = this.pending;
    this.pending = [];
    return units;
  }

  committableOffset(partition: number): bigint | null {
    return this.assembler.committableOffset(partition);
  }

  revokePartition(partition: number): void {
    this.assembler.revokePartition(partition);
    this.pending = this.pending.filter((unit) => partitionOf(unit) !== partition);
  }

  async write(units: readonly SessionizerUnit[]): Promise<void> {
    const closed = units.flatMap((unit) => (unit.kind === 'closed' ? [unit.trace] : []));
    const late = units.flatMap((unit) => (unit.kind === 'late' ? [unit.record] : []));
    const keys = tracesToLookUp(closed, late);
    const previous = await this.sinks.previousBases(keys);
    const stored = new Map<string, RevisionBasis | null>(
      keys.map((key, index) => [traceKeyId(key), previous[index]]),
    );
    const plan = planEmission(closed, late, stored, this.context);
    const users = usersOf(plan.fresh);
    const sessionNumbers = users.length > 0 ? await this.sinks.sessionNumbers(users) : [];
    const claims = floorClaims(plan.fresh, sessionNumbers, this.context);
    const counts = await this.sinks.claimSuccessFloor(claims);
    const floorReadings = new Map(claims.map((claim, index) => [traceKeyId(claim), counts[index]]));
    const built = buildSummaries(plan.fresh, sessionNumbers, floorReadings, this.context);
    const output: SessionizerOutput = {
      summaries: [...built.built.map((b) => b.summary), ...plan.revisions.map((r) => r.summary)],
      bases: [...built.built.map((b) => b.basis), ...plan.revisions.map((r) => r.basis)],
      sampledSpans: [
        ...built.built
          .filter((b) => b.summary.sampled)
          .map((b) => ({ projectId: b.summary.project_id, spans: b.spans })),
        ...plan.revisions
          .filter((r) => r.summary.sampled && r.newSpans.length > 0)
          .map((r) => ({ projectId: r.summary.project_id, spans: r.newSpans })),
      ],
      recentSpans: [
        ...built.built
          .filter((b) => !b.summary.sampled)
          .map((b) => ({
            projectId: b.summary.project_id,
            closedAt: b.summary.closed_at,
            spans: b.spans,
          })),
        ...plan.revisions
          .filter((r) => !r.summary.sampled && r.newSpans.length > 0)
          .map((r) => ({
            projectId: r.summary.project_id,
            closedAt: r.summary.closed_at,
            spans: r.newSpans,
          })),
      ],
      promotions: plan.revisions
        .filter((r) => r.spanFate === 'promote')
        .map((r) => ({ projectId: r.summary.project_id, traceId: r.summary.trace_id })),
    };
    if (output.summaries.length > 0) await this.sinks.emit(output);
    // Counted once the cycle is durable, so a retried write does not count twice.
    if (plan.fresh.length > 0) this.events.tracesClosed(built.reasons);
    if (plan.revisions.length > 0) this.events.revisionsEmitted(plan.revisions.length);
    if (plan.orphanSpans > 0) this.events.lateSpansIgnored(plan.orphanSpans);
    if (plan.orphanEvents > 0) this.events.orphanFeedback(plan.orphanEvents);
    const unpriced = new Set([
      ...built.unpricedModels,
      ...plan.revisions.flatMap((r) => r.unpricedModels),
    ]);
    if (unpriced.size > 0) this.events.unpricedModels([...unpriced]);
  }

  deadLetters(unit: SessionizerUnit, reason: string): StageDeadLetter[] {
    const traceId = unit.kind === 'late' ? unit.record.traceId : unit.trace.traceId;
    const records =
      unit.kind === 'late'
        ? [{ offset: unit.record.offset, record: unit.record.record }]
        : recordsOf(unit.trace);
    return records.map(({ offset, record }) => ({
      key: traceId,
      letter: {
        source_topic: Topics.spans,
        partition: partitionOf(unit),
        offset: offset.toString(),
        key: traceId,
        value: encodeDeadLetterValue(encodeTopicRecord(Topics.spans, record)),
        reason: 'sink_rejected',
        message: reason.slice(0, 4096),
        issues: [],
      },
    }));
  }
}

function partitionOf(unit: SessionizerUnit): number {
  return unit.kind === 'closed' ? unit.trace.partition : unit.record.partition;
}

/**
 * A closed trace's records as they can be replayed from the dead-letter topic. The assembler
 * keeps spans and events, not each one's offset, so every letter names the trace's first offset.
 */
function recordsOf(trace: ClosedTrace): { offset: bigint; record: SpansTopicRecord }[] {
  const receivedAt = trace.spans[0]?.end_time ?? trace.events[0]?.timestamp ?? 0;
  const envelope = { project_id: trace.projectId, received_at: receivedAt };
  return [
    ...trace.spans.map((span) => ({
      offset: trace.firstOffset,
      record: { kind: 'span' as const, ...envelope, span },
    })),
    ...trace.events.map((event) => ({
      offset: trace.firstOffset,
      record: { kind: 'event' as const, ...envelope, event },
    })),
  ];
}
