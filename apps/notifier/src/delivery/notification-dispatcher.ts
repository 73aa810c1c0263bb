import type { ClickHouseConnection } from '@agentmon/clickhouse';
import {
  digestProjects,
  dueDigest,
  renderDigestMessage,
  summarizeDigest,
  type DueDigest,
} from '@agentmon/notifier-domain';
import { errorMessage } from '@agentmon/stream-runtime';
import type { NotifierMetrics } from '../notifier.metrics';
import {
  attemptEntry,
  decisionFromRow,
  deliveryEntries,
  type DecisionRow,
} from '../sinks/notifier-rows';
import type { PolicySource } from '../sinks/policy-source';
import type { RedisCooldownStore } from '../sinks/redis-cooldown-store';
import type {
  JournalEntry,
  OutboxEnvelope,
  RedisOutbox,
  TakenMessage,
} from '../sinks/redis-outbox';
import type { SlackDeliveryAttempt, SlackDeliveryResult } from '../sinks/slack-webhook.client';

export interface DispatcherLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The one thing the dispatcher needs from the Slack client. */
export interface SlackSender {
  deliver(message: OutboxEnvelope['message'], deliveryId: string): Promise<SlackDeliveryResult>;
}

export interface DispatcherSettings {
  /** Queues delivered at once (NOTIFIER_DELIVERY_CONCURRENCY). */
  concurrency: number;
  /** How long a taken message is leased; longer than one delivery round can take. */
  leaseMs: number;
  parkRetryMs: number;
  parkMaxRetryMs: number;
  tickMs: number;
  digestHourUtc: number;
  channel: string;
  /** How long a digest id is remembered (exactly once across instances and restarts). */
  digestOnceMs: number;
  database: string;
  journalBatch: number;
}

export interface DispatcherDeps {
  outbox: RedisOutbox;
  cooldowns: RedisCooldownStore;
  slack: SlackSender;
  /** Attempts of each delivery id, as the Slack client reports them (onAttempt). */
  attemptLog: AttemptLog;
  clickhouse: ClickHouseConnection;
  policy: PolicySource;
  metrics: NotifierMetrics;
  logger: DispatcherLogger;
  settings: DispatcherSettings;
  clock?: () => number;
}

/** Collects the Slack client's attempt records per delivery id (the client is shared by workers). */
export class AttemptLog {
  private readonly byId = new Map<string, SlackDeliveryAttempt[]>();

  record = (attempt: SlackDeliveryAttempt): void => {
    const list = this.byId.get(attempt.delivery_id);
    if (list) list.push(attempt);
  };

  begin(id: string): void {
    this.byId.set(id, []);
  }

  end(id: string): SlackDeliveryAttempt[] {
    const list = this.byId.get(id) ?? [];
    this.byId.delete(id);
    return list;
  }
}

/** A flusher killed mid-flush holds the journal back this long at most. */
const JOURNAL_LOCK_MS = 5_000;

/** 4xx answers that say the webhook (configuration) is wrong, not the message: park and retry. */
const CONFIG_STATUSES = new Set([401, 403, 404, 410]);

/**
 * Drains the outbox to Slack outside the stage's flush cycle: up to `concurrency` workers, each
 * taking the head of one due queue (project + metric) under a lease, delivering it with the
 * bounded retry policy, then acking it (delivered) or parking it until its next round (failed).
 * The same timer refreshes the policy, flushes the ClickHouse journal and sends the daily digest.
 */
export class NotificationDispatcher {
  private timer?: NodeJS.Timeout;
  private workers = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private journalBusy = false;
  private digestBusy = false;
  private lastDigestDay: string | null = null;
  private readonly clock: () => number;

  constructor(private readonly deps: DispatcherDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.deps.settings.tickMs);
    this.timer.unref();
    this.tick();
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Something was queued: deliver now rather than at the next tick. */
  kick(): void {
    // One worker starts; a worker that finds work starts another (up to `concurrency`).
    if (!this.stopping && this.workers < this.deps.settings.concurrency) this.spawnWorker();
  }

  private spawnWorker(): void {
    this.workers += 1;
    const run: Promise<void> = this.work().finally(() => {
      this.workers -= 1;
      this.inFlight.delete(run);
    });
    this.inFlight.add(run);
  }

  tick(): void {
    if (this.stopping) return;
    const now = this.clock();
    this.deps.policy
      .refresh(now)
      .then((policy) => {
        this.deps.metrics.activeSilences.set(
          policy.silences.filter(
            (s) => Date.parse(s.starts_at) <= now && now < Date.parse(s.ends_at),
          ).length,
        );
      })
      .catch((error: unknown) =>
        this.deps.logger.warn(
          { err: errorMessage(error) },
          'policy refresh failed; keeping the last one',
        ),
      );
    this.kick();
    void this.flushJournal();
    void this.maybeSendDigest(now);
    this.deps.outbox
      .depth()
      .then((depth) => this.deps.metrics.outboxQueues.set(depth.queues))
      .catch(() => undefined);
  }

  /** One worker: takes and delivers heads of due queues until none is due. */
  private async work(): Promise<void> {
    while (!this.stopping) {
      const now = this.clock();
      let taken: TakenMessage[];
      try {
        taken = await this.deps.outbox.take(now, now + this.deps.settings.leaseMs, 1);
      } catch (error) {
        this.deps.logger.warn(
          { err: errorMessage(error) },
          'outbox take failed; retrying at the next tick',
        );
        return;
      }
      if (taken.length === 0) return;
      // More may be due: let another worker start on another queue meanwhile.
      if (this.workers < this.deps.settings.concurrency) this.spawnWorker();
      try {
        await this.deliver(taken[0]);
      } catch (error) {
        // Redis failed after the POST: the lease runs out and the message is tried again.
        this.deps.logger.error(
          { err: errorMessage(error), notification_id: taken[0].envelope.id },
          'recording a delivery failed; the message is retried after its lease',
        );
        return;
      }
    }
  }

  private async deliver({ queue, envelope }: TakenMessage): Promise<void> {
    const { attemptLog, slack, outbox, metrics, logger, settings } = this.deps;
    attemptLog.begin(envelope.id);
    const result = await slack.deliver(envelope.message, envelope.id); // never throws
    const attempts = attemptLog.end(envelope.id);
    const now = this.clock();
    const round = envelope.rounds;
    const rows: JournalEntry[] = attempts.map((a) => attemptEntry(envelope, round, a));
    for (const a of attempts)
      metrics.attemptSeconds.observe({ outcome: a.outcome }, a.latency_ms / 1000);
    const next: OutboxEnvelope = {
      ...envelope,
      attempts: envelope.attempts + Math.max(1, result.attempts),
      last_error: result.delivered === 'failed' ? result.error : envelope.last_error,
    };

    if (result.delivered !== 'failed') {
      await outbox.ack(queue, envelope.id, now, [
        ...rows,
        ...deliveryEntries(next, result.delivered, now),
      ]);
      for (const alert of envelope.alerts) {
        await this.deps.cooldowns.markDelivered(alert.cooldown_key, alert.alert_id);
      }
      metrics.deliveries.inc({ kind: envelope.kind, result: result.delivered });
      metrics.queuedToDelivered.observe((now - envelope.enqueued_at) / 1000);
      logger.info(
        {
          notification_id: envelope.id,
          kind: envelope.kind,
          project_id: envelope.project_id,
          metric: envelope.metric,
          delivered: result.delivered,
          attempts: next.attempts,
          rounds: round + 1,
          alerts: envelope.alerts.map((a) => a.alert_id),
        },
        'notification delivered',
      );
      return;
    }

    const refusedForGood = result.permanent && !CONFIG_STATUSES.has(result.status ?? 0);
    if (refusedForGood) {
      // Slack refuses this payload itself: retrying cannot help and must not block the queue.
      await outbox.keepRefused(next);
      await outbox.ack(queue, envelope.id, now, [...rows, ...deliveryEntries(next, 'failed', now)]);
      metrics.deliveries.inc({ kind: envelope.kind, result: 'failed' });
      logger.error(
        { notification_id: envelope.id, project_id: envelope.project_id, err: result.error },
        'slack refused the message for good; kept in the refused set',
      );
      return;
    }

    const stopping = this.stopping;
    const rounds = stopping ? envelope.rounds : envelope.rounds + 1;
    const backoff = Math.min(
      settings.parkMaxRetryMs,
      settings.parkRetryMs * 2 ** Math.max(0, rounds - 1),
    );
    const wait = stopping
      ? 0
      : Math.max(result.retry_after_ms ?? 0, Math.round(backoff * (0.5 + Math.random() / 2)));
    const parked: OutboxEnvelope = { ...next, rounds };
    await outbox.park(queue, parked, now + wait, [
      ...rows,
      ...deliveryEntries(parked, 'parked', now),
    ]);
    metrics.deliveries.inc({ kind: envelope.kind, result: 'parked' });
    logger.warn(
      {
        notification_id: envelope.id,
        project_id: envelope.project_id,
        metric: envelope.metric,
        rounds,
        attempts: parked.attempts,
        next_attempt_in_ms: wait,
        err: result.error,
      },
      'slack delivery failed; message parked',
    );
  }

  /** Moves journaled rows to ClickHouse (one flusher at a time across instances). */
  async flushJournal(): Promise<void> {
    if (this.journalBusy) return;
    this.journalBusy = true;
    const { outbox, clickhouse, settings, metrics, logger } = this.deps;
    try {
      for (;;) {
        const moved = await outbox.drainJournal(
          settings.journalBatch,
          JOURNAL_LOCK_MS,
          async (entries) => {
            const byTable = new Map<string, object[]>();
            for (const { table, row } of entries) {
              const rows = byTable.get(table) ?? [];
              rows.push(row);
              byTable.set(table, rows);
            }
            for (const [table, rows] of byTable) await clickhouse.insert(table, rows);
          },
        );
        metrics.journaled.inc(moved);
        if (moved < settings.journalBatch) break;
      }
    } catch (error) {
      metrics.journalFailures.inc();
      logger.warn(
        { err: errorMessage(error) },
        'journal flush to ClickHouse failed; retrying at the next tick',
      );
    } finally {
      this.journalBusy = false;
    }
  }

  private async maybeSendDigest(now: number): Promise<void> {
    if (this.digestBusy) return;
    const due = dueDigest(now, this.lastDigestDay, this.deps.settings.digestHourUtc);
    if (!due) return;
    this.digestBusy = true;
    try {
      const queued = await this.sendDigest(due, now);
      this.lastDigestDay = due.day;
      this.deps.logger.info({ day: due.day, queued }, 'daily digest checked');
    } catch (error) {
      this.deps.logger.warn(
        { err: errorMessage(error), day: due.day },
        'daily digest failed; retrying at the next tick',
      );
    } finally {
      this.digestBusy = false;
    }
  }

  /** Each project's digest of `due`, queued once across instances and restarts (its id is claimed in the enqueue). */
  async sendDigest(due: DueDigest, now: number): Promise<number> {
    await this.flushJournal();
    const rows = await this.deps.clickhouse.query<DecisionRow>(
      `SELECT project_id, decided_at_ms, alert_id, reason, notification_id, silence_id,
              inhibit_rule_id, inhibited_by, detail, alert_json
       FROM {db:Identifier}.notifier_decisions FINAL
       WHERE decided_at >= toDateTime({from_s:UInt32}) AND decided_at <= toDateTime({to_s:UInt32})
         AND decided_at_ms >= {from:UInt64} AND decided_at_ms < {to:UInt64}
       ORDER BY decided_at_ms
       LIMIT 500000`,
      {
        db: this.deps.settings.database,
        from: due.from,
        to: due.to,
        from_s: Math.floor(due.from / 1000),
        to_s: Math.ceil(due.to / 1000),
      },
    );
    const decisions = rows.map(decisionFromRow);
    let queued = 0;
    for (const projectId of digestProjects(due, decisions)) {
      const summary = summarizeDigest(projectId, due, decisions);
      const envelope: OutboxEnvelope = {
        id: summary.id,
        kind: 'digest',
        queue: `digest:${encodeURIComponent(projectId)}`,
        project_id: projectId,
        metric: '',
        message: renderDigestMessage(summary, { channel: this.deps.settings.channel }),
        alerts: [],
        enqueued_at: now,
        rounds: 0,
        attempts: 0,
        last_error: null,
      };
      if (await this.deps.outbox.enqueue(envelope, now, this.deps.settings.digestOnceMs)) {
        queued += 1;
        this.deps.logger.info(
          { digest_id: summary.id, project_id: projectId, day: due.day },
          'daily digest queued',
        );
      }
    }
    if (queued > 0) this.kick();
    return queued;
  }

  /** Shutdown: no new work; deliveries in flight finish their round (or are parked at once). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
    await this.flushJournal();
  }
}
