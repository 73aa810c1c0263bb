import type { NotificationPolicy } from '@agentmon/contracts';
import type { CooldownOperation, CooldownVerdict } from '@agentmon/notifier-domain';
import type { JournalEntry, OutboxEnvelope } from '../sinks/redis-outbox';

/** What the notifier's stage needs from the outside world (Redis in production, memory in unit tests). */
export interface NotifierSinksPort {
  /** The policy as it is now (file rules + the silences in Redis). */
  refreshPolicy(now: number): Promise<NotificationPolicy>;
  /** The atomic cooldown claim, shared by every instance. */
  claim(operation: CooldownOperation): Promise<CooldownVerdict>;
  /** Durably queues a message for Slack (idempotent by envelope id), with its journal rows. */
  enqueue(
    envelope: OutboxEnvelope,
    now: number,
    journal: readonly JournalEntry[],
  ): Promise<boolean>;
  /** Durably journals rows for ClickHouse (decisions). */
  journal(entries: readonly JournalEntry[]): Promise<void>;
}
