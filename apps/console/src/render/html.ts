// Server-side HTML: every value from storage goes through `escapeHtml` (trace inputs, messages
// and slice values are tenant data), and page data for the client script is embedded as JSON
// with `<` escaped so no stored text can close the script element.

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON safe inside <script type="application/json">. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export const pct = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(digits)}%`;

export const ms = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v)
    ? 'n/a'
    : v >= 10_000
      ? `${(v / 1000).toFixed(1)} s`
      : `${Math.round(v)} ms`;

export const usd = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v)
    ? 'n/a'
    : `$${v >= 1 ? v.toFixed(2) : v.toPrecision(3)}`;

export const num = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);

export const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');

export const sliceLabel = (dimension: string, value: string): string =>
  dimension === 'all' ? 'all' : `${dimension}=${value}`;

/** A query string from parameters (undefined and '' left out). */
export function qs(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') search.set(k, String(v));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

const NAV: [string, string][] = [
  ['/', 'Overview'],
  ['/chart', 'Control chart'],
  ['/slices', 'Slices'],
  ['/alerts', 'Alerts'],
  ['/traces', 'Traces'],
  ['/review', 'Review'],
  ['/export', 'Export'],
];

export interface LayoutOptions {
  title: string;
  /** The nav entry to highlight. */
  active: string;
  project: string;
  projects: readonly string[];
  body: string;
  /** Embedded as JSON for console.js (charts); omitted when the page draws none. */
  data?: unknown;
}

export function layout(o: LayoutOptions): string {
  const nav = NAV.map(
    ([href, label]) =>
      `<a href="${href}${qs({ project: o.project })}"${href === o.active ? ' class="active"' : ''}>${label}</a>`,
  ).join('');
  const projectPicker =
    o.projects.length > 1
      ? `<form method="get" class="project"><select name="project" onchange="this.form.submit()">${o.projects
          .map(
            (p) =>
              `<option value="${escapeHtml(p)}"${p === o.project ? ' selected' : ''}>${escapeHtml(p)}</option>`,
          )
          .join('')}</select></form>`
      : `<span class="project">${escapeHtml(o.project)}</span>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)} · AgentMon</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/uPlot.min.css">
<link rel="stylesheet" href="/assets/console.css">
</head><body>
<header><strong>AgentMon</strong><nav>${nav}</nav>${projectPicker}<form method="post" action="/logout" class="logout"><button>Sign out</button></form></header>
<main>
<h1>${escapeHtml(o.title)}</h1>
${o.body}
</main>
${o.data === undefined ? '' : `<script type="application/json" id="page-data">${jsonForScript(o.data)}</script>`}
<script src="/assets/uPlot.iife.min.js"></script>
<script src="/assets/console.js"></script>
</body></html>`;
}

export function table(headers: readonly string[], rows: readonly string[][], cls = ''): string {
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${headers
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join('')}</tr></thead><tbody>${
    rows.length === 0
      ? `<tr><td colspan="${headers.length}" class="empty">nothing in this period</td></tr>`
      : rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')
  }</tbody></table>`;
}

/** A GET form of filters (the same names as the JSON API's query parameters). */
export function filterForm(
  project: string,
  fields: { name: string; label: string; value?: string; options?: readonly string[] }[],
): string {
  const inputs = fields
    .map((f) =>
      f.options
        ? `<label>${escapeHtml(f.label)} <select name="${f.name}">${f.options
            .map(
              (o) =>
                `<option value="${escapeHtml(o)}"${o === (f.value ?? '') ? ' selected' : ''}>${escapeHtml(o || 'any')}</option>`,
            )
            .join('')}</select></label>`
        : `<label>${escapeHtml(f.label)} <input name="${f.name}" value="${escapeHtml(f.value ?? '')}"></label>`,
    )
    .join(' ');
  return `<form method="get" class="filters"><input type="hidden" name="project" value="${escapeHtml(project)}">${inputs} <button>Apply</button></form>`;
}
