import { Topics } from '@agentmon/contracts';
import type { ValidatedBatch } from '@agentmon/kafka';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SessionizerPipeline } from '../pipeline/sessionizer-pipeline';
import { SessionizerMetrics } from '../sessionizer.metrics';

/** Thin adapter: a validated Kafka batch in, the pipeline does the rest (and the committing). */
@Controller()
export class SpansConsumer {
  constructor(
    @Inject(SessionizerPipeline) private readonly pipeline: SessionizerPipeline,
    @Inject(SessionizerMetrics) private readonly metrics: SessionizerMetrics,
  ) {}

  @EventPattern(Topics.spans)
  async onSpans(@Payload() batch: ValidatedBatch<typeof Topics.spans>): Promise<void> {
    if (batch.isStale()) return;
    await this.pipeline.handleBatch({
      partition: batch.partition,
      records: batch.records,
      commit: batch.commit,
    });
    this.metrics.records.inc(batch.records.length);
    this.metrics.openTraces.set(this.pipeline.openTraces);
  }
}
