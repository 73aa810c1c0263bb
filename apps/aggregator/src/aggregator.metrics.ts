import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import type { AggregatorEvents, AggregatorStage } from './consumer/aggregator.stage';
import type { MergeReport } from './consumer/window-merger';

/** The aggregator's own metrics (the runtime's records, retries and lag are agentmon_stage_*). */
@Injectable()
export class AggregatorMetrics implements AggregatorEvents {
  private readonly partials: Counter;
  private readonly windows: Counter;
  private readonly revisions: Counter;
  private readonly rollups: Counter;
  private readonly fencedPartitions: Counter;
  private readonly replays: Counter;
  private readonly closedEarly: Counter;
  private stage?: AggregatorStage;

  constructor(@Inject(Registry) registry: Registry) {
    const registers = [registry];
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- read at scrape time by collect()
    const metrics = this;
    this.partials = new Counter({
      name: 'agentmon_aggregator_partials_stored_total',
      help: 'Per-partition partial windows stored for the merge step',
      registers,
    });
    this.windows = new Counter({
      name: 'agentmon_aggregator_windows_merged_total',
      help: 'Series windows merged (every slice of a project window at once) and written',
      registers,
    });
    this.revisions = new Counter({
      name: 'agentmon_aggregator_window_revisions_total',
      help: 'Merged windows that revised an earlier merge (late partials or trace revisions)',
      registers,
    });
    this.rollups = new Counter({
      name: 'agentmon_aggregator_rollups_total',
      help: 'Hourly rollups re-merged (each also re-merges its day)',
      registers,
    });
    this.fencedPartitions = new Counter({
      name: 'agentmon_aggregator_fenced_partitions_total',
      help: 'Partitions whose writes were refused because another instance claimed them',
      registers,
    });
    this.replays = new Counter({
      name: 'agentmon_aggregator_replays_skipped_total',
      help: 'Replayed trace records already inside a stored partial (not counted again)',
      registers,
    });
    this.closedEarly = new Counter({
      name: 'agentmon_aggregator_windows_closed_early_total',
      help: 'Open groups closed before their time to stay within AGGREGATOR_MAX_OPEN_WINDOWS',
      registers,
    });
    new Gauge({
      name: 'agentmon_aggregator_open_windows',
      help: 'Open (partition, project, window) groups held in memory',
      registers,
      collect() {
        this.set(metrics.stage?.openWindows ?? 0);
      },
    });
  }

  observe(stage: AggregatorStage): AggregatorStage {
    this.stage = stage;
    return stage;
  }

  partialsStored(count: number): void {
    this.partials.inc(count);
  }
  merged(report: MergeReport): void {
    this.windows.inc(report.windows);
    this.revisions.inc(report.revisions);
    this.rollups.inc(report.rollups);
  }
  fenced(partitions: number[]): void {
    this.fencedPartitions.inc(partitions.length);
  }
  replaysSkipped(count: number): void {
    this.replays.inc(count);
  }
  windowsClosedEarly(count: number): void {
    this.closedEarly.inc(count);
  }
}
