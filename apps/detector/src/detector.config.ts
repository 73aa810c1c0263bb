// The detector reads only its slice of the environment (see the README's table).
export { DetectorConfigSchema } from '@agentmon/config';
export type { DetectorConfig } from '@agentmon/config';
