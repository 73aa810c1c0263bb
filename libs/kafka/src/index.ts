export { createKafka } from './create-kafka';
export type { KafkaClientOptions } from './create-kafka';
export { ensureTopics, kafkaReadinessCheck } from './ensure-topics';
export { TopicProducer } from './topic-producer';
export { decodeBatch } from './batch-decoder';
export type { DecodedBatch, DecodedRecord, RawKafkaMessage } from './batch-decoder';
export { ThreadedProducer } from './threaded-producer';
export type { RawMessage } from './produce-worker';
export { murmur2, Murmur2Partitioner } from './murmur2-partitioner';
