export { APP_CONFIG, ConfigSchema, SECRET_VARIABLES } from './config.schema';
export type { AppConfig, ConfigVariable } from './config.schema';
export { ConfigError } from './config-error';
export { loadConfig, redactConfig } from './load-config';
