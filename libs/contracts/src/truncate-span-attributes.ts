import { Limits } from './limits';

/** Cuts `text` to at most `max` UTF-16 units without leaving half a surrogate pair behind. */
export function truncateString(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * DESIGN truncates tool input rather than rejecting the span: an oversize tool input is normal
 * agent behaviour, not bad input. Pure; sets `tool_input_truncated` only when it cut something,
 * and keeps a flag the agent already set (it may have truncated on its side).
 */
export function truncateSpanAttributes<
  T extends { tool_input?: string; tool_input_truncated?: boolean },
>(attributes: T): T {
  const input = attributes.tool_input;
  if (input === undefined || input.length <= Limits.toolInputMaxChars) return attributes;
  return {
    ...attributes,
    tool_input: truncateString(input, Limits.toolInputMaxChars),
    tool_input_truncated: true,
  };
}
