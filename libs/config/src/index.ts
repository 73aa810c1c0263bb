export {
  AggregatorConfigSchema,
  analyticsConfigShape,
  APP_CONFIG,
  clickhouseConfigShape,
  ConfigSchema,
  ConsoleConfigSchema,
  DetectorConfigSchema,
  GatewayConfigSchema,
  ingestAuthConfigShape,
  kafkaConfigShape,
  LauncherConfigSchema,
  NotifierConfigSchema,
  OtlpRelayConfigSchema,
  redisConfigShape,
  SECRET_VARIABLES,
  serviceConfigShape,
  SessionizerConfigSchema,
} from './config.schema';
export type {
  AggregatorConfig,
  AppConfig,
  ClickHouseConfig,
  ConsoleConfig,
  ConfigVariable,
  DetectorConfig,
  GatewayConfig,
  KafkaConfig,
  NotifierConfig,
  OtlpRelayConfig,
  RedisConfig,
  ServiceConfig,
  SessionizerConfig,
} from './config.schema';
export { ConfigError } from './config-error';
export { loadConfig, redactConfig } from './load-config';
export { satisfactionWeightsOf } from './satisfaction-weights';
