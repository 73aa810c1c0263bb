// The OTLP relay reads only its slice of the environment (see the README's table).
export { OtlpRelayConfigSchema } from '@agentmon/config';
export type { OtlpRelayConfig } from '@agentmon/config';
