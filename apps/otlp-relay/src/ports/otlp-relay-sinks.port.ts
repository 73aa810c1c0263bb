import type { DeadLetter } from '@agentmon/contracts';
import type { KeyedSpansRecord } from '@agentmon/otlp';

/**
 * What the relay needs from the outside world: the spans topic (records keyed by trace id) and
 * the dead-letter topic (the Collector records some of whose spans the span contract refused).
 * `publish` resolves once Kafka acknowledged everything (acks=all); it throws PermanentError
 * (from @agentmon/stream-runtime) when Kafka refuses the records themselves.
 */
export interface OtlpRelaySinks {
  publish(records: readonly KeyedSpansRecord[], letters: readonly DeadLetter[]): Promise<void>;
}
