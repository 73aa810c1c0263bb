import { Topics } from '@agentmon/contracts';
import {
  kafkaClientProvider,
  retryPolicyProvider,
  topicProducerProvider,
} from '@agentmon/stream-runtime';
import { Module } from '@nestjs/common';
import { DetectorStage } from './consumer/detector.stage';
import { DetectorMetrics } from './detector.metrics';

@Module({
  providers: [
    DetectorMetrics,
    kafkaClientProvider('detector'),
    topicProducerProvider,
    retryPolicyProvider,
    {
      provide: DetectorStage,
      inject: [DetectorMetrics],
      useFactory: (metrics: DetectorMetrics) =>
        new DetectorStage(
          Topics.metrics,
          async (records) => void metrics.passed.inc(records.length),
        ),
    },
  ],
})
export class DetectorModule {}
