export { createKafka } from './create-kafka';
export type { KafkaClientOptions } from './create-kafka';
export { ensureTopics, kafkaReadinessCheck } from './ensure-topics';
