/**
 * Tool calls per session, bucketed for the traffic mix of the overall window: a shift toward
 * sessions with no tool use (easy questions) or with very many (loops, harder tasks) is traffic
 * drift even when every rate stays flat. Boundaries: 0, 1–2, 3–5, 6–10, 11–20, 21+.
 */
export const TOOL_CALL_BUCKETS = [
  { upTo: 1, value: '0' },
  { upTo: 3, value: '1-2' },
  { upTo: 6, value: '3-5' },
  { upTo: 11, value: '6-10' },
  { upTo: 21, value: '11-20' },
  { upTo: Infinity, value: '21+' },
] as const;

/** The traffic-mix key under which the tool-call distribution appears. */
export const TOOL_CALLS_MIX_KEY = 'tool_calls';

export function toolCallBucketIndex(toolCalls: number): number {
  for (let i = 0; i < TOOL_CALL_BUCKETS.length; i++) {
    if (toolCalls < TOOL_CALL_BUCKETS[i]!.upTo) return i;
  }
  return TOOL_CALL_BUCKETS.length - 1;
}

/**
 * Project-level mix sums of one window (not per slice: only the overall window carries them):
 * traces per tool-call bucket and safety-flagged traces. Integer counts, mergeable by addition.
 */
export interface SerializedMix {
  tool_calls: number[];
  safety_flagged_count: number;
}

export class MixCounts {
  readonly toolCalls = new Array<number>(TOOL_CALL_BUCKETS.length).fill(0);
  safetyFlagged = 0;

  static fromJSON(json: SerializedMix | undefined): MixCounts {
    const mix = new MixCounts();
    if (json !== undefined) mix.mergeJSON(json);
    return mix;
  }

  add(toolCalls: number, safetyFlagged: boolean, sign: 1 | -1): void {
    this.toolCalls[toolCallBucketIndex(toolCalls)]! += sign;
    if (safetyFlagged) this.safetyFlagged += sign;
  }

  mergeJSON(json: SerializedMix): void {
    for (let i = 0; i < this.toolCalls.length; i++) this.toolCalls[i]! += json.tool_calls[i] ?? 0;
    this.safetyFlagged += json.safety_flagged_count;
  }

  toJSON(): SerializedMix {
    return { tool_calls: [...this.toolCalls], safety_flagged_count: this.safetyFlagged };
  }

  /** `{ "0": n, "1-2": n, … }` for the window's traffic_mix (empty buckets omitted). */
  toolCallDistribution(): Record<string, number> {
    const out: Record<string, number> = {};
    TOOL_CALL_BUCKETS.forEach((bucket, i) => {
      if (this.toolCalls[i]! !== 0) out[bucket.value] = this.toolCalls[i]!;
    });
    return out;
  }
}
