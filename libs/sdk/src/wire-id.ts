import { createHash, randomUUID } from 'node:crypto';
import { IdSchema } from '@agentmon/contracts';

/** 32 lowercase hex characters: a UUIDv4 without dashes, the same shape as an OTLP trace id. */
export function newId(): string {
  return randomUUID().replace(/-/g, '');
}

/**
 * Ids supplied by the agent (user ids are often e-mail addresses) may not fit the contract's
 * charset. Rather than lose the whole trace_start event, such an id is replaced by a stable hash:
 * the same input always maps to the same id (so first-session detection and feedback by trace id
 * still line up) and the raw value, often PII, never leaves the process.
 */
export function toWireId(id: string): string {
  if (IdSchema.safeParse(id).success) return id;
  return `h:${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}
