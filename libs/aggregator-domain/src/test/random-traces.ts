import type { TraceSummary } from '@agentmon/contracts';
import { makeTraceSummary } from '@agentmon/testing';

/** mulberry32: a seeded PRNG so every "random" spec is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lognormal via Box–Muller: agent latencies have a long right tail. */
export function lognormal(random: () => number, mu: number, sigma: number): number {
  const u = 1 - random();
  const v = random();
  return Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

/**
 * `count` varied summaries ending within [from, from + spanMs): every slice dimension, null
 * tags, errors and costs, so merge and fold tests exercise every sum.
 */
export function randomTraces(
  count: number,
  options: { seed?: number; from?: number; spanMs?: number; taskTypes?: number } = {},
): TraceSummary[] {
  const random = seededRandom(options.seed ?? 1);
  const from = options.from ?? T0;
  const spanMs = options.spanMs ?? 300_000;
  const taskTypes = Array.from({ length: options.taskTypes ?? 6 }, (_, i) => `task-${i}`);
  return Array.from({ length: count }, (_, i) => {
    const duration = Math.round(lognormal(random, 8, 1));
    const ended_at = from + Math.floor(random() * spanMs);
    const completed = random() < 0.85;
    const tool_call_count = Math.floor(random() * 5);
    const tool_error_count = Math.min(tool_call_count, random() < 0.1 ? 1 : 0);
    const input_tokens = Math.floor(random() * 5000);
    const output_tokens = Math.floor(random() * 1000);
    return makeTraceSummary({
      trace_id: `trace-${options.seed ?? 1}-${i}`,
      started_at: ended_at - duration,
      ended_at,
      completed,
      strong_completion: completed && random() < 0.8,
      rating: pick(random, ['none', 'none', 'none', 'positive', 'negative'] as const),
      task_type: random() < 0.05 ? null : pick(random, taskTypes),
      user_segment: pick(random, ['free', 'pro', 'enterprise', null]),
      platform: pick(random, ['web', 'ios', 'cli']),
      model_version: pick(random, ['m-1', 'm-2']),
      agent_version: pick(random, ['1.0', '1.1', null]),
      query_length: random() < 0.1 ? null : Math.floor(lognormal(random, 4.5, 1.2)),
      session_number: random() < 0.1 ? null : 1 + Math.floor(random() * 10),
      input_tokens,
      output_tokens,
      tool_call_count,
      tool_error_count,
      step_count: 1 + Math.floor(random() * 6),
      error_types: {
        tool_failure: tool_error_count,
        llm_refusal: random() < 0.03 ? 1 : 0,
        timeout: random() < 0.02 ? 1 : 0,
        user_abandonment: random() < 0.04 ? 1 : 0,
        hallucination_caught: random() < 0.01 ? 1 : 0,
      },
      cost_usd: (input_tokens * 3 + output_tokens * 15) / 1e6,
      closed_at: ended_at + 1_000,
    });
  });
}
