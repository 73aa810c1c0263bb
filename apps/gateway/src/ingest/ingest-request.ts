import { parseIngestBatch, SpansTopicRecord } from '@agentmon/contracts';

export type IngestRoute = 'spans' | 'events';

export interface IngestIssue {
  /** Position of the bad item in the request's array, when the issue is inside one. */
  index?: number;
  path: string;
  message: string;
}

export type IngestDecision =
  | { ok: true; records: SpansTopicRecord[]; spans: number; events: number }
  | { ok: false; status: 400 | 413; error: string; issues: IngestIssue[] };

const OTHER: Record<IngestRoute, IngestRoute> = { spans: 'events', events: 'spans' };

function countItems(body: unknown, route: IngestRoute): number {
  if (typeof body !== 'object' || body === null) return 0;
  const items = (body as Record<string, unknown>)[route];
  return Array.isArray(items) ? items.length : 0;
}

/**
 * Turns a request body into spans-topic records for one project, or into the 400/413 that lists
 * every bad item by index and field path. Pure: the tenant and the clock are passed in.
 */
export function decideIngest(
  route: IngestRoute,
  body: unknown,
  projectId: string,
  receivedAt: number,
  maxItems: number,
): IngestDecision {
  const count = countItems(body, route);
  if (count > maxItems) {
    return {
      ok: false,
      status: 413,
      error: 'too_many_items',
      issues: [{ path: route, message: `at most ${maxItems} items per request, got ${count}` }],
    };
  }
  if (typeof body === 'object' && body !== null && OTHER[route] in body) {
    return {
      ok: false,
      status: 400,
      error: 'invalid_batch',
      issues: [{ path: OTHER[route], message: `send ${OTHER[route]} to /v1/${OTHER[route]}` }],
    };
  }
  // Compiled checks for canonical items, zod for the rest; issues are exactly zod's.
  const parsed = parseIngestBatch(body);
  if (!parsed.ok) {
    const issues = parsed.issues.map((issue) => {
      const index = /^(?:spans|events)\[(\d+)\]/.exec(issue.path);
      return index ? { index: Number(index[1]), ...issue } : issue;
    });
    return { ok: false, status: 400, error: 'invalid_batch', issues };
  }
  const records: SpansTopicRecord[] = [
    ...parsed.value.spans.map((span) => ({
      kind: 'span' as const,
      project_id: projectId,
      received_at: receivedAt,
      span,
    })),
    ...parsed.value.events.map((event) => ({
      kind: 'event' as const,
      project_id: projectId,
      received_at: receivedAt,
      event,
    })),
  ];
  return {
    ok: true,
    records,
    spans: parsed.value.spans.length,
    events: parsed.value.events.length,
  };
}
