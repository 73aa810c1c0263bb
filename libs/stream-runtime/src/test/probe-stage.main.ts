// A stage process for the runtime's own integration tests: alerts pass through to a Redis list
// (one entry per write: the cycle's ids), with failures injected from the environment. Test
// settings are read straight from the environment; the runtime's own config goes through the
// normal config pieces.
import 'reflect-metadata';
import { kafkaConfigShape, redisConfigShape, serviceConfigShape } from '@agentmon/config';
import { Topics } from '@agentmon/contracts';
import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { kafkaClientProvider, topicProducerProvider } from '../kafka.providers';
import { PassThroughStage } from '../pass-through-stage';
import { runStageMain } from '../run-stage-main';
import type { PartitionRecords } from '../stage';
import { PermanentError, RetryableError } from '../stage-errors';
import { redisProvider, retryPolicyProvider } from '../storage.providers';

const env = process.env;
const listKey = env.PROBE_LIST_KEY ?? 'probe';
let transientFailuresLeft = Number(env.PROBE_TRANSIENT_FAILURES ?? 0);
const writeDelayMs = Number(env.PROBE_WRITE_DELAY_MS ?? 0);
// A stateful stage's commits trail what its state holds; PROBE_HOLD_COMMITS commits nothing.
const holdCommits = env.PROBE_HOLD_COMMITS === '1';
// A record whose message holds 'stall' blocks the event loop (no heartbeats) for PROBE_STALL_MS
// once: the member's session expires and it rejoins the group, keeping its partitions.
let stallMs = Number(env.PROBE_STALL_MS ?? 0);

function probeSink(redis: Redis) {
  return async (records: readonly { value: { alert_id: string; message: string } }[]) => {
    if (transientFailuresLeft > 0) {
      transientFailuresLeft -= 1;
      throw new RetryableError('probe sink unavailable');
    }
    if (records.some((record) => record.value.message.includes('poison')))
      throw new PermanentError('probe sink refuses poison');
    if (writeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, writeDelayMs));
    const entry = {
      cycle: randomUUID(),
      pid: process.pid,
      ids: records.map((r) => r.value.alert_id),
    };
    await redis.rpush(listKey, JSON.stringify(entry));
  };
}

class ProbeStage extends PassThroughStage<typeof Topics.alerts> {
  override ingest(batch: PartitionRecords<typeof Topics.alerts>): void {
    super.ingest(batch);
    if (stallMs > 0 && batch.records.some((record) => record.value.message.includes('stall'))) {
      const until = Date.now() + stallMs;
      stallMs = 0;
      while (Date.now() < until); // deliberately synchronous: a domain step hogging the loop
    }
  }

  override committableOffset(partition: number): bigint | null {
    return holdCommits ? null : super.committableOffset(partition);
  }
}

@Module({
  providers: [
    kafkaClientProvider('probe'),
    topicProducerProvider,
    redisProvider,
    retryPolicyProvider,
    {
      provide: ProbeStage,
      inject: [Redis],
      useFactory: (redis: Redis) => new ProbeStage(Topics.alerts, probeSink(redis)),
    },
  ],
})
class ProbeModule {}

void runStageMain({
  app: 'probe',
  module: ProbeModule,
  config: z.object({ ...serviceConfigShape, ...kafkaConfigShape, ...redisConfigShape }),
  port: () => 0,
  stage: ProbeStage,
  settings: () => ({
    groupId: env.PROBE_GROUP_ID ?? 'probe',
    sessionTimeoutMs: Number(env.PROBE_SESSION_TIMEOUT_MS ?? 6000),
    partitionsConcurrently: 3,
    tickMs: 200,
  }),
});
