export { createLogger, REDACTED_LOG_PATHS } from './create-logger';
export { PinoNestLogger } from './pino-nest-logger';
export { ReadinessRegistry } from './readiness-registry';
export type { ReadinessCheck } from './readiness-registry';
export { ObservabilityModule } from './observability.module';
export type { ObservabilityOptions } from './observability.module';
export { HealthController } from './health.controller';
export { LOGGER } from './observability.tokens';
