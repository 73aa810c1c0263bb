import {
  benchTable,
  parseBenchOutput,
  replaceBenchTable,
  unitOf,
  withUnits,
  type BenchResults,
} from './results';

describe('bench results', () => {
  it('reads the unit from the figure key', () => {
    expect(unitOf('msgs_per_s')).toBe('msgs/s');
    expect(unitOf('produce_mb_per_s')).toBe('MB/s');
    expect(unitOf('broker_cpu_s_per_million')).toBe('CPU-s per million records');
    expect(unitOf('gateway_spans_per_s')).toBe('spans/s');
    expect(unitOf('aggregator_with_decode_traces_per_s')).toBe('traces/s');
    expect(unitOf('detector_points_per_s')).toBe('points/s');
    expect(unitOf('gateway_p99_ms')).toBe('ms');
    expect(unitOf('alert_to_slack_ms_p50')).toBe('ms');
    expect(unitOf('runs')).toBe('count');
    expect(unitOf('gateway_to_bare_ratio')).toBe('×');
    expect(unitOf('heap_bytes_per_open_span')).toBe('bytes');
  });

  it('takes the last {"bench": NAME, "figures"} line and names a missing one', () => {
    const out = 'warming up\n{"run":1}\n{"bench":"ingest","figures":{"gateway_p50_ms":157}}\n';
    expect(parseBenchOutput('ingest', out)).toEqual({ gateway_p50_ms: 157 });
    expect(() => parseBenchOutput('broker', out)).toThrow(/^bench:broker: no/);
  });

  it('writes the README table between its markers, idempotently', () => {
    const results: BenchResults = {
      generated_at: '2026-12-02T05:00:00.000Z',
      machine: { cpus: 2, cpu_model: 'Test CPU', node: '20.19.0', platform: 'linux-x64' },
      benches: {
        broker: {
          figures: withUnits({ msgs_per_s: 50546.4, produce_mb_per_s: 30.25 }),
          duration_s: 60,
        },
      },
    };
    const table = benchTable(results);
    expect(table).toContain('on 2 CPUs (Test CPU), Node 20.19.0');
    expect(table).toContain(
      '| `npm run bench:broker` | msgs_per_s 50,546 msgs/s; produce_mb_per_s 30.25 MB/s |',
    );
    const readme = '# X\n\n## Benchmarks\n\nold text\n\n## Layout\n';
    const once = replaceBenchTable(readme, table, '## Benchmarks');
    expect(replaceBenchTable(once, table, '## Benchmarks')).toBe(once);
    expect(once.indexOf(table)).toBeGreaterThan(once.indexOf('## Benchmarks'));
    expect(once).toContain('## Layout');
    expect(() => replaceBenchTable('# none', table, '## Benchmarks')).toThrow(/## Benchmarks/);
    const failed = benchTable({
      ...results,
      benches: { ingest: { figures: {}, duration_s: 5, error: 'bench:ingest exited with 1' } },
    });
    expect(failed).toContain('| `npm run bench:ingest` | failed: bench:ingest exited with 1 |');
  });
});
