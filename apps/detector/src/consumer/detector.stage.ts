import { Topics } from '@agentmon/contracts';
import { PassThroughStage } from '@agentmon/stream-runtime';

/**
 * The detector's stage: metric windows in, alert state changes (next: libs/detector-domain) out. A skeleton for now: every valid record passes through
 * to a counter and is committed; invalid ones are dead-lettered by the runtime.
 */
export class DetectorStage extends PassThroughStage<typeof Topics.metrics> {}
