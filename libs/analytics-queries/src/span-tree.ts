import type { Span } from '@agentmon/contracts';

export interface WaterfallLine {
  depth: number;
  span: Span;
}

/** Spans in tree order (children after their parent, siblings by start); orphans are roots. */
export function spanTree(spans: readonly Span[]): WaterfallLine[] {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const span of spans) {
    const parent = span.parent_span_id;
    if (parent === null || !ids.has(parent) || parent === span.span_id) roots.push(span);
    else {
      const list = children.get(parent);
      if (list === undefined) children.set(parent, [span]);
      else list.push(span);
    }
  }
  const byStart = (a: Span, b: Span) =>
    a.start_time - b.start_time || a.span_id.localeCompare(b.span_id);
  const out: WaterfallLine[] = [];
  const seen = new Set<string>();
  const visit = (span: Span, depth: number) => {
    if (seen.has(span.span_id)) return;
    seen.add(span.span_id);
    out.push({ depth, span });
    for (const child of (children.get(span.span_id) ?? []).sort(byStart)) visit(child, depth + 1);
  };
  for (const root of roots.sort(byStart)) visit(root, 0);
  // A parent cycle leaves spans unreachable from any root: list them last, flat.
  for (const span of [...spans].sort(byStart)) if (!seen.has(span.span_id)) visit(span, 0);
  return out;
}
