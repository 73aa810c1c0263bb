import { createDetectorState, DetectorEngine, HOUR_MS, pointFromMetricWindow } from './index';
import { OVERALL_SLICE } from './point';
import { minutePoint, T0 } from './test-points';

describe("traffic drift from the overall window's mix (mixSource 'overall', the live detector)", () => {
  const mixPoint = (minute: number, faq: number, code: number) => ({
    ...minutePoint(minute, { completion_rate: 0.9 }, { traceCount: faq + code }),
    slice: OVERALL_SLICE,
    mix: { task_type: { faq, code } },
  });

  it('scores the hour once the next hour starts, naming the values that moved', () => {
    const engine = new DetectorEngine({ mixSource: 'overall' });
    const state = createDetectorState();
    for (let m = 0; m < 60; m++) engine.apply(state, mixPoint(m, 80, 20));
    for (let m = 60; m < 120; m++) engine.apply(state, mixPoint(m, 20, 80));
    const { alerts } = engine.apply(state, mixPoint(120, 20, 80));
    const drift = alerts.filter((a) => a.metric === 'traffic_share');
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({
      state: 'firing',
      severity: 'warning',
      slice: { dimension: 'task_type' },
      window_start: T0 + HOUR_MS,
    });
    expect(drift[0].message).toContain('trailing day');
  });

  it('a higher revision of an overall window adds only the difference of its mix', () => {
    const engine = new DetectorEngine({ mixSource: 'overall' });
    const state = createDetectorState();
    engine.apply(state, mixPoint(0, 50, 50));
    engine.apply(state, { ...mixPoint(0, 60, 60), revision: 1 });
    expect(state.projects.p1.mix.task_type[String(T0)]).toEqual({ faq: 60, code: 60 });
  });

  it('sliced windows never touch the project state', () => {
    const engine = new DetectorEngine({ mixSource: 'overall' });
    const state = createDetectorState();
    engine.apply(
      state,
      minutePoint(0, { completion_rate: 0.9 }, { slice: { dimension: 'task_type', value: 'faq' } }),
    );
    expect(state.projects).toEqual({});
  });

  it('pointFromMetricWindow carries traffic_mix and counts safety flags with refusals', () => {
    const point = pointFromMetricWindow({
      project_id: 'p',
      metric_group: 'traces',
      slice: { dimension: 'all', value: '*' },
      window_start: T0,
      window_end: T0 + 60_000,
      window_size_ms: 60_000,
      revision: 0,
      computed_at: T0,
      trace_count: 10,
      completed_count: 9,
      strong_completed_count: 8,
      completion_rate: 0.9,
      strong_completion_rate: 0.8,
      completion_gap: 0.1,
      latency_p50_ms: 1,
      latency_p95_ms: 2,
      latency_p99_ms: 3,
      cost_total_usd: 1,
      cost_avg_usd: 0.1,
      cost_per_successful_task_usd: 0.125,
      tool_call_count: 0,
      tool_error_count: 0,
      error_rate: null,
      error_type_counts: {
        tool_failure: 0,
        llm_refusal: 3,
        timeout: 0,
        user_abandonment: 0,
        hallucination_caught: 0,
      },
      error_type_rates: {
        tool_failure: 0,
        llm_refusal: 0.3,
        timeout: 0,
        user_abandonment: 0,
        hallucination_caught: 0,
      },
      step_count: 0,
      input_tokens: 0,
      output_tokens: 0,
      avg_tool_calls: null,
      avg_steps: null,
      avg_input_tokens: null,
      avg_output_tokens: null,
      avg_tokens: null,
      traffic_mix: { task_type: { faq: 10 } },
      safety_flagged_count: 9,
    });
    expect(point.flaggedCount).toBe(10);
    expect(point.mix).toEqual({ task_type: { faq: 10 } });
  });
});
