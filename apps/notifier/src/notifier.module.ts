import { Topics } from '@agentmon/contracts';
import {
  kafkaClientProvider,
  retryPolicyProvider,
  topicProducerProvider,
} from '@agentmon/stream-runtime';
import { Module } from '@nestjs/common';
import { NotifierStage } from './consumer/notifier.stage';
import { NotifierMetrics } from './notifier.metrics';

@Module({
  providers: [
    NotifierMetrics,
    kafkaClientProvider('notifier'),
    topicProducerProvider,
    retryPolicyProvider,
    {
      provide: NotifierStage,
      inject: [NotifierMetrics],
      useFactory: (metrics: NotifierMetrics) =>
        new NotifierStage(
          Topics.alerts,
          async (records) => void metrics.passed.inc(records.length),
        ),
    },
  ],
})
export class NotifierModule {}
