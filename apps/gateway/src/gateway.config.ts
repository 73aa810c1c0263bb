// The gateway reads only its slice of the environment (see the README's table).
export { GatewayConfigSchema } from '@agentmon/config';
export type { GatewayConfig } from '@agentmon/config';
