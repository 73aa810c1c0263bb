import { z } from 'zod';

interface WellFormedString {
  toWellFormed(): string;
  isWellFormed(): boolean;
}

/**
 * Replaces lone UTF-16 surrogates with U+FFFD (String.prototype.toWellFormed, Node 20+).
 * JSON allows "\ud800"; UTF-8 storage (ClickHouse, Kafka consumers in other languages) does not,
 * so a lone surrogate accepted here would be refused later, for every tenant sharing the batch.
 */
export function toWellFormedString(value: string): string {
  return (value as unknown as WellFormedString).toWellFormed();
}

export function isWellFormedString(value: string): boolean {
  return (value as unknown as WellFormedString).isWellFormed();
}

/**
 * The one string builder every contract string starts from: repaired before any other check,
 * so length limits, patterns and truncation see the stored text. `overwrite` keeps it a plain
 * string schema (JSON Schema export still says "type": "string").
 */
export function wellFormedString() {
  return z.string().overwrite(toWellFormedString);
}
