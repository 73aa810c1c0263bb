// The notifier reads only its slice of the environment (see the README's table).
export { NotifierConfigSchema } from '@agentmon/config';
export type { NotifierConfig } from '@agentmon/config';
