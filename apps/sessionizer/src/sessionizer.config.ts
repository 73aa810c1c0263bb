// The sessionizer reads only its slice of the environment (see the README's table).
export { SessionizerConfigSchema } from '@agentmon/config';
export type { SessionizerConfig } from '@agentmon/config';
