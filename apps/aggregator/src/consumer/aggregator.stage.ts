import { Topics } from '@agentmon/contracts';
import { PassThroughStage } from '@agentmon/stream-runtime';

/**
 * The aggregator's stage: trace summaries in, metric windows per slice (next: libs/aggregator-domain) out. A skeleton for now: every valid record passes through
 * to a counter and is committed; invalid ones are dead-lettered by the runtime.
 */
export class AggregatorStage extends PassThroughStage<typeof Topics.traces> {}
