// The aggregator reads only its slice of the environment (see the README's table).
export { AggregatorConfigSchema } from '@agentmon/config';
export type { AggregatorConfig } from '@agentmon/config';
