import { Topics } from '@agentmon/contracts';
import { PassThroughStage } from '@agentmon/stream-runtime';

/**
 * The notifier's stage: alert state changes in, Slack messages (next: libs/notifier-domain) out. A skeleton for now: every valid record passes through
 * to a counter and is committed; invalid ones are dead-lettered by the runtime.
 */
export class NotifierStage extends PassThroughStage<typeof Topics.alerts> {}
