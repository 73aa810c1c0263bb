import { APP_CONFIG, type ServiceConfig } from '@agentmon/config';
import { BoundedLabel } from '@agentmon/observability';
import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import type { SessionizerEvents, SessionizerStage } from './consumer/sessionizer.stage';

/** The sessionizer's own metrics (the runtime's records, retries and lag are agentmon_stage_*). */
@Injectable()
export class SessionizerMetrics implements SessionizerEvents {
  private readonly closed: Counter<'reason'>;
  private readonly revisions: Counter;
  private readonly lateSpans: Counter;
  private readonly orphans: Counter;
  private readonly unpriced: Counter<'model'>;
  /** Model names come from tenants' spans: bounded so they cannot mint series. */
  private readonly unpricedModel: BoundedLabel;
  private stage?: SessionizerStage;

  constructor(
    @Inject(Registry) registry: Registry,
    @Inject(APP_CONFIG) config: Pick<ServiceConfig, 'METRICS_MAX_LABEL_VALUES'>,
  ) {
    this.unpricedModel = new BoundedLabel({ limit: config.METRICS_MAX_LABEL_VALUES });
    const registers = [registry];
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- read at scrape time by collect()
    const metrics = this;
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
    new Gauge({
      name: 'agentmon_sessionizer_open_traces',
      help: 'Traces currently being assembled',
      registers,
      collect() {
        this.set(metrics.stage?.openTraces ?? 0);
      },
    });
  }

  /** The stage whose open-trace count is read whenever /metrics is scraped. */
  observe(stage: SessionizerStage): SessionizerStage {
    this.stage = stage;
    return stage;
  }

  tracesClosed(reasons: Record<string, number>): void {
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
  unpricedModels(models: string[]): void {
    for (const model of models) this.unpriced.inc({ model: this.unpricedModel.value(model) });
  }
}
