import { Topics } from '@agentmon/contracts';
import {
  kafkaClientProvider,
  retryPolicyProvider,
  topicProducerProvider,
} from '@agentmon/stream-runtime';
import { Module } from '@nestjs/common';
import { AggregatorStage } from './consumer/aggregator.stage';
import { AggregatorMetrics } from './aggregator.metrics';

@Module({
  providers: [
    AggregatorMetrics,
    kafkaClientProvider('aggregator'),
    topicProducerProvider,
    retryPolicyProvider,
    {
      provide: AggregatorStage,
      inject: [AggregatorMetrics],
      useFactory: (metrics: AggregatorMetrics) =>
        new AggregatorStage(
          Topics.traces,
          async (records) => void metrics.passed.inc(records.length),
        ),
    },
  ],
})
export class AggregatorModule {}
