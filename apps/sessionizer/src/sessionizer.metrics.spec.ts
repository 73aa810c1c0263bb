import { Registry } from 'prom-client';
import { SessionizerMetrics } from './sessionizer.metrics';

describe('SessionizerMetrics', () => {
  it('keeps unpriced-model series bounded however many model names tenants send', async () => {
    const registry = new Registry();
    const metrics = new SessionizerMetrics(registry, {
      METRICS_MAX_LABEL_VALUES: 20,
    });
    for (let i = 0; i < 10_000; i += 1) metrics.unpricedModels([`tenant-model-${i}`]);
    const unpriced = (await registry.getMetricsAsJSON()).find(
      (metric) => metric.name === 'agentmon_sessionizer_unpriced_model_traces_total',
    );
    expect(unpriced?.values.length).toBeLessThanOrEqual(21);
    expect(unpriced?.values.map((v) => v.labels.model)).toContain('other');
    expect(unpriced?.values.reduce((sum, v) => sum + v.value, 0)).toBe(10_000);
  });
});
