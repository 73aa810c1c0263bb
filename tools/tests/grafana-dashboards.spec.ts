import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// The Grafana provisioning of deploy/grafana is checked by parsing (no Grafana runs here): the
// data source is the ClickHouse plugin the dashboards name, the compose file loads it, and every
// query of every panel, annotation and variable reads tables and columns the migrations create.

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DASHBOARDS = 'deploy/grafana/dashboards';

/** Table → columns, from the migrations (CREATE TABLE bodies and ALTER … ADD COLUMN). */
function migratedColumns(): Map<string, Set<string>> {
  const tables = new Map<string, Set<string>>();
  const dir = 'libs/clickhouse/migrations';
  for (const file of readdirSync(join(ROOT, dir)).sort()) {
    const sql = read(`${dir}/${file}`).replace(/^\s*--.*$/gm, '');
    for (const m of sql.matchAll(
      /CREATE TABLE IF NOT EXISTS \S+?\.(\w+) \(([\s\S]*?)\n\) ENGINE/g,
    )) {
      const columns = new Set<string>();
      for (const line of m[2]!.split('\n')) {
        const name = /^\s*(\w+)\s+\S/.exec(line)?.[1];
        if (name) columns.add(name);
      }
      tables.set(m[1]!, columns);
    }
    for (const m of sql.matchAll(/ALTER TABLE \S+?\.(\w+)([\s\S]*?);/g)) {
      for (const c of m[2]!.matchAll(/ADD COLUMN (\w+)/g)) tables.get(m[1]!)?.add(c[1]!);
    }
  }
  return tables;
}

const KEYWORDS = new Set(
  'select from where and or not as final group by order having limit asc desc distinct in is null'.split(
    ' ',
  ),
);

interface Dashboard {
  uid: string;
  title: string;
  panels: { title: string; datasource: { uid: string }; targets: { rawSql: string }[] }[];
  annotations: { list: { name: string; target: { rawSql: string } }[] };
  templating: {
    list: { name: string; type: string; query: string; options?: { value: string }[] }[];
  };
}

const dashboards: [string, Dashboard][] = readdirSync(join(ROOT, DASHBOARDS))
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(read(`${DASHBOARDS}/${f}`)) as Dashboard]);

/** Every SQL of a dashboard, with where it is. */
function queriesOf(d: Dashboard): { where: string; sql: string }[] {
  return [
    ...d.panels.flatMap((p) =>
      p.targets.map((t) => ({ where: `panel "${p.title}"`, sql: t.rawSql })),
    ),
    ...d.annotations.list.map((a) => ({ where: `annotation "${a.name}"`, sql: a.target.rawSql })),
    ...d.templating.list
      .filter((v) => v.type === 'query')
      .map((v) => ({ where: `variable ${v.name}`, sql: v.query })),
  ];
}

/** Tables the query reads and identifiers it uses that are neither keywords, functions nor aliases. */
function analyse(sql: string): { tables: string[]; identifiers: string[] } {
  const text = sql
    .replace(/\$__timeFilter\((\w+)\)/g, '$1 >= 0')
    .replace(/'[^']*'/g, "''")
    .replace(/\$\{\w+\}/g, '0');
  const tables = [...text.matchAll(/\bFROM\s+agentmon\.(\w+)/g)].map((m) => m[1]!);
  const aliases = new Set([...text.matchAll(/\bAS\s+(\w+)/gi)].map((m) => m[1]!));
  const identifiers = [...text.matchAll(/(?<![.\w])([A-Za-z_]\w*)\b(?!\s*\()/g)]
    .map((m) => m[1]!)
    .filter(
      (w) =>
        !KEYWORDS.has(w.toLowerCase()) &&
        !aliases.has(w) &&
        w !== 'agentmon' &&
        !tables.includes(w),
    );
  return { tables, identifiers: [...new Set(identifiers)] };
}

describe('deploy/grafana', () => {
  const columns = migratedColumns();

  it('provisions the ClickHouse plugin data source the dashboards use, and a file provider', () => {
    const ds = parse(read('deploy/grafana/provisioning/datasources/clickhouse.yaml')) as {
      datasources: { uid: string; type: string; jsonData: { defaultDatabase: string } }[];
    };
    expect(ds.datasources).toHaveLength(1);
    expect(ds.datasources[0]).toMatchObject({
      uid: 'agentmon-clickhouse',
      type: 'grafana-clickhouse-datasource',
      jsonData: { defaultDatabase: 'agentmon' },
    });
    const provider = parse(read('deploy/grafana/provisioning/dashboards/agentmon.yaml')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(provider.providers[0]).toMatchObject({
      type: 'file',
      options: { path: '/var/lib/grafana/dashboards' },
    });
    expect(dashboards.map(([, d]) => d.uid).sort()).toEqual([
      'agentmon-control-chart',
      'agentmon-overview',
    ]);
    for (const [, d] of dashboards)
      for (const p of d.panels) expect(p.datasource.uid).toBe('agentmon-clickhouse');
  });

  it('is loaded by docker-compose.yml with the plugin pinned', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<
        string,
        { image: string; volumes: string[]; environment: Record<string, string> }
      >;
    };
    const grafana = compose.services.grafana!;
    expect(grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(grafana.environment.GF_INSTALL_PLUGINS).toMatch(
      /^grafana-clickhouse-datasource \d+\.\d+\.\d+$/,
    );
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
        './deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
  });

  it.each(dashboards)('%s: every query reads migrated tables and columns', (_file, d) => {
    const metricOptions =
      d.templating.list.find((v) => v.name === 'metric')?.options?.map((o) => o.value) ?? [];
    for (const metric of metricOptions) {
      expect({ metric, column: columns.get('metric_windows')?.has(metric) }).toEqual({
        metric,
        column: true,
      });
    }
    const queries = queriesOf(d);
    expect(queries.length).toBeGreaterThan(2);
    for (const { where, sql } of queries) {
      const { tables, identifiers } = analyse(sql);
      expect({ where, tables: tables.length > 0 }).toEqual({ where, tables: true });
      for (const table of tables)
        expect({ where, table, exists: columns.has(table) }).toEqual({
          where,
          table,
          exists: true,
        });
      const known = new Set(tables.flatMap((t) => [...(columns.get(t) ?? [])]));
      expect({ where, unknown: identifiers.filter((i) => !known.has(i)) }).toEqual({
        where,
        unknown: [],
      });
    }
  });
});
