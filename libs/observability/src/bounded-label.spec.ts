import { Counter, Registry } from 'prom-client';
import { BoundedLabel, DEFAULT_MAX_LABEL_VALUES, OTHER_LABEL_VALUE } from './bounded-label';

async function seriesOf(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.length ?? 0;
}

describe('BoundedLabel', () => {
  it.each([1, 5, DEFAULT_MAX_LABEL_VALUES])(
    'keeps a counter fed 10,000 distinct values to at most N+1 series (N=%i)',
    async (limit) => {
      const registry = new Registry();
      const counter = new Counter({
        name: 'test_by_tenant_string_total',
        help: 'test',
        labelNames: ['model'],
        registers: [registry],
      });
      const label = new BoundedLabel({ limit });
      for (let i = 0; i < 10_000; i += 1) counter.inc({ model: label.value(`model-${i}`) });
      expect(await seriesOf(registry, 'test_by_tenant_string_total')).toBe(limit + 1);
      const values = (await counter.get()).values;
      expect(values.reduce((sum, v) => sum + v.value, 0)).toBe(10_000);
      expect(values.find((v) => v.labels.model === OTHER_LABEL_VALUE)?.value).toBe(10_000 - limit);
    },
  );

  it('keeps the first N distinct values as themselves, repeats included', () => {
    const label = new BoundedLabel({ limit: 2 });
    expect(['a', 'b', 'a', 'c', 'b', 'd'].map((v) => label.value(v))).toEqual([
      'a',
      'b',
      'a',
      OTHER_LABEL_VALUE,
      'b',
      OTHER_LABEL_VALUE,
    ]);
  });

  it('cuts long values before counting them, so long variants of one prefix are one value', () => {
    const label = new BoundedLabel({ limit: 1, maxLength: 4 });
    expect(label.value('abcdXXX')).toBe('abcd');
    expect(label.value('abcdYYY')).toBe('abcd');
    expect(label.value('zzzz')).toBe(OTHER_LABEL_VALUE);
  });

  it('defaults to 20 values and refuses a nonsensical limit', () => {
    expect(new BoundedLabel().limit).toBe(20);
    expect(() => new BoundedLabel({ limit: -1 })).toThrow(RangeError);
    expect(() => new BoundedLabel({ limit: 1.5 })).toThrow(RangeError);
  });
});
