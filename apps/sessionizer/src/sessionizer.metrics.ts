import { APP_CONFIG, type AppConfig } from '@agentmon/config';
import { BoundedLabel, LOGGER } from '@agentmon/observability';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import type { PipelineEvents } from './pipeline/sessionizer-pipeline';

@Injectable()
export class SessionizerMetrics implements PipelineEvents {
  private readonly closed: Counter<'reason'>;
  private readonly revisions: Counter;
  private readonly lateSpans: Counter;
  private readonly orphans: Counter;
  private readonly unpriced: Counter<'model'>;
  /** Model names come from tenants' spans: bounded so they cannot mint series. */
  private readonly unpricedModel: BoundedLabel;
  readonly records: Counter;
  readonly openTraces: Gauge;

  private readonly emitFailures: Counter;

  constructor(
    @Inject(Registry) registry: Registry,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'METRICS_MAX_LABEL_VALUES'>,
  ) {
    this.unpricedModel = new BoundedLabel({ limit: config.METRICS_MAX_LABEL_VALUES });
    const registers = [registry];
    this.closed = new Counter({
      name: 'agentmon_sessionizer_traces_closed_total',
      help: 'Traces closed and emitted, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.revisions = new Counter({
      name: 'agentmon_sessionizer_revisions_total',
      help: 'Summary revisions emitted for late feedback',
      registers,
    });
    this.lateSpans = new Counter({
      name: 'agentmon_sessionizer_late_spans_total',
      help: 'Spans that arrived after their trace was emitted (not applied)',
      registers,
    });
    this.orphans = new Counter({
      name: 'agentmon_sessionizer_orphan_feedback_total',
      help: 'Late feedback events whose trace summary is no longer remembered',
      registers,
    });
    this.unpriced = new Counter({
      name: 'agentmon_sessionizer_unpriced_model_traces_total',
      help: 'Traces priced with the default price because their model is not in the price table',
      labelNames: ['model'],
      registers,
    });
    this.records = new Counter({
      name: 'agentmon_sessionizer_records_total',
      help: 'Spans-topic records consumed',
      registers,
    });
    this.emitFailures = new Counter({
      name: 'agentmon_sessionizer_emit_failures_total',
      help: 'Failed attempts to store/publish closed traces (retried)',
      registers,
    });
    this.openTraces = new Gauge({
      name: 'agentmon_sessionizer_open_traces',
      help: 'Traces currently being assembled',
      registers,
    });
  }

  tracesClosed(_count: number, reasons: Record<string, number>): void {
    for (const [reason, count] of Object.entries(reasons)) this.closed.inc({ reason }, count);
  }
  revisionsEmitted(count: number): void {
    this.revisions.inc(count);
  }
  lateSpansIgnored(count: number): void {
    this.lateSpans.inc(count);
  }
  orphanFeedback(count: number): void {
    this.orphans.inc(count);
  }
  emitFailed(error: unknown, attempt: number): void {
    this.emitFailures.inc();
    this.logger.error(
      { err: error instanceof Error ? error.message : String(error), attempt },
      'emitting closed traces failed; retrying',
    );
  }
  commitFailed(error: unknown, partition: number): void {
    this.logger.warn(
      { err: error instanceof Error ? error.message : String(error), partition },
      'offset commit failed; will commit again',
    );
  }
  unpricedModels(models: string[]): void {
    for (const model of models) this.unpriced.inc({ model: this.unpricedModel.value(model) });
  }
}
