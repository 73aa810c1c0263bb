import type { ServerCapabilities } from './server-capabilities';

export interface MigrationContext {
  database: string;
  retentionDays: number;
  capabilities: ServerCapabilities;
}

type Feature = 'ttl' | 'lowCardinality' | 'codecs';
const FEATURES: readonly Feature[] = ['ttl', 'lowCardinality', 'codecs'];

/**
 * Migrations are written once for every release. Sections `{{#ttl}}…{{/ttl}}` (and `{{^ttl}}` for
 * the opposite) appear only where the server has the feature; `{{lc String}}` becomes
 * `LowCardinality(String)` where supported; `{{database}}` and `{{retention_days}}` are substituted.
 */
export function renderMigration(sql: string, context: MigrationContext): string {
  let out = sql;
  for (const feature of FEATURES) {
    const has = context.capabilities[feature];
    out = out.replace(
      new RegExp(`\\{\\{#${feature}\\}\\}([\\s\\S]*?)\\{\\{/${feature}\\}\\}`, 'g'),
      has ? '$1' : '',
    );
    out = out.replace(
      new RegExp(`\\{\\{\\^${feature}\\}\\}([\\s\\S]*?)\\{\\{/${feature}\\}\\}`, 'g'),
      has ? '' : '$1',
    );
  }
  out = out.replace(/\{\{lc ([A-Za-z0-9()]+)\}\}/g, (_m, type: string) =>
    context.capabilities.lowCardinality ? `LowCardinality(${type})` : type,
  );
  out = out
    .replace(/\{\{database\}\}/g, context.database)
    .replace(/\{\{retention_days\}\}/g, String(context.retentionDays));
  const leftover = /\{\{[^}]*\}\}/.exec(out);
  if (leftover) throw new Error(`unknown migration template tag ${leftover[0]}`);
  return out;
}

/** One statement per HTTP request: split on semicolons that end a line. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter((statement) => statement.length > 0);
}
