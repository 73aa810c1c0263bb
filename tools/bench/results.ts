// Pure helpers of `npm run bench`: the last-line JSON of each benchmark → bench/results.json
// (figures with units) → the README's benchmark table.

export const BENCHES = [
  'broker',
  'ingest',
  'analytics',
  'detector',
  'notifier',
  'console',
] as const;
export type BenchName = (typeof BENCHES)[number];

export interface Figure {
  value: number;
  unit: string;
}

export interface BenchResults {
  generated_at: string;
  machine: { cpus: number; cpu_model: string; node: string; platform: string };
  benches: Record<
    string,
    { figures: Record<string, Figure>; duration_s: number; /** Why it failed. */ error?: string }
  >;
}

/** The unit a figure's key names (`*_per_s`, `*_ms`, `*_bytes`, …). */
export function unitOf(key: string): string {
  const rules: [RegExp, string][] = [
    [/_cpu_s_per_million$/, 'CPU-s per million records'],
    [/_mb_per_s$/, 'MB/s'],
    [/msgs_per_s$/, 'msgs/s'],
    [/spans_per_s$/, 'spans/s'],
    [/traces_per_s$/, 'traces/s'],
    [/points_per_s$/, 'points/s'],
    [/alerts_per_s$/, 'alerts/s'],
    [/_per_s$/, 'per s'],
    [/_ms(_p\d+)?$/, 'ms'],
    [/_s$/, 's'],
    [/bytes/, 'bytes'],
    [/_usd$/, 'USD'],
    [/_ratio$/, '×'],
  ];
  for (const [pattern, unit] of rules) if (pattern.test(key)) return unit;
  return 'count';
}

/** The `{"bench": NAME, "figures": {...}}` line a benchmark prints last. */
export function parseBenchOutput(name: string, stdout: string): Record<string, number> {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as { bench?: string; figures?: Record<string, number> };
      if (parsed.bench === name && parsed.figures && typeof parsed.figures === 'object') {
        return parsed.figures;
      }
    } catch {
      // not the result line
    }
  }
  throw new Error(`bench:${name}: no {"bench":"${name}","figures":{…}} line in its output`);
}

export function withUnits(figures: Record<string, number>): Record<string, Figure> {
  return Object.fromEntries(
    Object.entries(figures).map(([key, value]) => [key, { value, unit: unitOf(key) }]),
  );
}

const BEGIN = '<!-- bench-table:begin (npm run bench writes it from bench/results.json) -->';
const END = '<!-- bench-table:end -->';

function format(figure: Figure): string {
  const value =
    Math.abs(figure.value) >= 100
      ? Math.round(figure.value).toLocaleString('en-US')
      : String(Number(figure.value.toFixed(2)));
  return `${value} ${figure.unit}`;
}

/** The markdown table: one row per bench, every figure with its unit. */
export function benchTable(results: BenchResults): string {
  const m = results.machine;
  const lines = [
    BEGIN,
    `Measured ${results.generated_at.slice(0, 10)} on ${m.cpus} CPUs (${m.cpu_model}), Node ${m.node}; figures as each bench reports them (most are medians of 3 runs), on a machine shared with other work.`,
    '',
    '| command | figures |',
    '|---|---|',
  ];
  for (const [name, bench] of Object.entries(results.benches)) {
    const figures = bench.error
      ? `failed: ${bench.error.replace(/\|/g, '\\|')}`
      : Object.entries(bench.figures)
          .map(([key, figure]) => `${key} ${format(figure)}`)
          .join('; ');
    lines.push(`| \`npm run bench:${name}\` | ${figures} |`);
  }
  lines.push(END);
  return lines.join('\n');
}

/** The README with its generated table replaced (or appended after `anchor` the first time). */
export function replaceBenchTable(readme: string, table: string, anchor: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start >= 0 && end > start) {
    return readme.slice(0, start) + table + readme.slice(end + END.length);
  }
  const at = readme.indexOf(anchor);
  if (at < 0) throw new Error(`README: no "${anchor}" to put the benchmark table after`);
  const cut = at + anchor.length;
  return `${readme.slice(0, cut)}\n\n${table}${readme.slice(cut)}`;
}
