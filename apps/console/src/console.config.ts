// The console reads only its slice of the environment (see the README's table).
export { ConsoleConfigSchema } from '@agentmon/config';
export type { ConsoleConfig } from '@agentmon/config';
