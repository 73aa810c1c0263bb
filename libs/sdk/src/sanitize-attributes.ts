import { Limits, truncateString, type AttributeValue } from '@agentmon/contracts';

export type AttributeInput = string | number | boolean | null | undefined;

const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z0-9_.:/-]+$/;
const COUNT_KEYS = new Set([
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'tool_output_length',
]);
const STRING_LIMITS: Record<string, number> = {
  model: Limits.modelMaxChars,
  stop_reason: Limits.stopReasonMaxChars,
  tool_name: Limits.toolNameMaxChars,
  // Left long on purpose: the span builder truncates it and sets tool_input_truncated.
  tool_input: Number.MAX_SAFE_INTEGER,
};

export function isValidAttributeKey(key: string): boolean {
  return (
    key.length > 0 && key.length <= Limits.attributeKeyMaxChars && ATTRIBUTE_KEY_PATTERN.test(key)
  );
}

/**
 * Coerces one attribute into what the contract accepts, or undefined to leave it out. Monitoring
 * must not cost the agent its span: an over-long string is cut rather than failing the whole
 * span at the gateway, and a value that cannot be made valid is dropped on its own.
 */
export function sanitizeAttribute(key: string, value: AttributeInput): AttributeValue | undefined {
  if (value === null || value === undefined || !isValidAttributeKey(key)) return undefined;
  if (COUNT_KEYS.has(key)) {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
      ? value
      : undefined;
  }
  if (key === 'tool_cost_usd') {
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1e9
      ? value
      : undefined;
  }
  if (key === 'tool_input_truncated') return typeof value === 'boolean' ? value : undefined;
  if (key in STRING_LIMITS) {
    if (typeof value !== 'string') return undefined;
    const cut = truncateString(value, STRING_LIMITS[key]);
    return cut.length === 0 && key !== 'stop_reason' ? undefined : cut;
  }
  if (typeof value === 'string') return truncateString(value, Limits.attributeStringMaxChars);
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  return undefined;
}

/** Merges `updates` into `target` in place, keeping the key-count bound. */
export function mergeAttributes(
  target: Record<string, AttributeValue>,
  updates: Record<string, AttributeInput>,
): void {
  for (const [key, raw] of Object.entries(updates)) {
    const value = sanitizeAttribute(key, raw);
    if (value === undefined) continue;
    if (!(key in target) && Object.keys(target).length >= Limits.attributeMaxKeys) continue;
    target[key] = value;
  }
}
