import type { TraceContext, TraceEvent } from '@agentmon/contracts';

/**
 * The trace's context: trace_start contexts first, then trace_end ones (agents that only report
 * at the end restate it there), each in timestamp order; per field the first value wins, so a
 * late or replayed restatement cannot rewrite a slice tag.
 */
export function resolveTraceContext(events: readonly TraceEvent[]): TraceContext {
  const contexts: TraceContext[] = [];
  for (const type of ['trace_start', 'trace_end'] as const) {
    for (const event of events) {
      if (event.type === type && event.context !== undefined) contexts.push(event.context);
    }
  }
  const merged: Record<string, unknown> = {};
  for (const context of contexts) {
    for (const [field, value] of Object.entries(context)) {
      if (value !== undefined && merged[field] === undefined) merged[field] = value;
    }
  }
  return merged as TraceContext;
}
