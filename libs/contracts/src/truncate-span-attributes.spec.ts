import { Limits } from './limits';
import { truncateSpanAttributes, truncateString } from './truncate-span-attributes';

describe('truncateSpanAttributes', () => {
  it.each<[string, Record<string, string>, Record<string, unknown>]>([
    ['no tool_input', { model: 'm' }, { model: 'm' }],
    ['short tool_input', { tool_input: 'ls' }, { tool_input: 'ls' }],
    [
      'exactly at the limit',
      { tool_input: 'x'.repeat(Limits.toolInputMaxChars) },
      { tool_input: 'x'.repeat(Limits.toolInputMaxChars) },
    ],
    [
      'over the limit',
      { tool_input: 'x'.repeat(Limits.toolInputMaxChars + 1), tool_name: 't' },
      {
        tool_input: 'x'.repeat(Limits.toolInputMaxChars),
        tool_name: 't',
        tool_input_truncated: true,
      },
    ],
  ])('%s', (_label, input, expected) => {
    expect(truncateSpanAttributes(input)).toEqual(expected);
  });

  it('does not mutate its argument', () => {
    const input = Object.freeze({ tool_input: 'x'.repeat(1000) });
    truncateSpanAttributes(input);
    expect(input.tool_input).toHaveLength(1000);
  });

  it('never leaves half a surrogate pair', () => {
    expect(truncateString('ab😀', 3)).toBe('ab');
  });
});
