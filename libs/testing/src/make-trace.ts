import type { Span, SpansTopicRecord, TraceContext, TraceEvent } from '@agentmon/contracts';
import { createIdGenerator, FIXED_TIME_MS, type FactoryOptions } from './id-generator';
import { makeEventEnvelope, makeSpan } from './make-span';
import { makeTraceEndEvent, makeTraceStartEvent } from './make-trace-event';

export type TraceFailure = 'tool_failure' | 'llm_refusal' | 'timeout';

export interface MakeTraceOptions extends FactoryOptions {
  /** Total spans including the root agent_step; default 4. */
  spans?: number;
  /** How the trace fails; omit or false for a completed trace. */
  failing?: TraceFailure | false;
  trace_id?: string;
  project_id?: string;
  start_time?: number;
  /** Replaces the default trace_start context. */
  context?: TraceContext;
}

export interface GeneratedTrace {
  trace_id: string;
  project_id: string;
  root: Span;
  /** Children in start order, then the root (the order an agent emits them as they end). */
  spans: Span[];
  /** trace_start then trace_end. */
  events: TraceEvent[];
  /** Everything above as spans-topic records, in emission order. */
  records: SpansTopicRecord[];
}

const CHILD_MS = 100;
const GAP_MS = 20;

/**
 * One coherent trace: a root agent_step whose children alternate llm_call / tool_call back to
 * back inside it, all with the root as parent, plus trace_start and trace_end events.
 * - tool_failure: the last tool_call is ERROR/tool_failure and the trace does not complete;
 * - llm_refusal: the last llm_call is ERROR/llm_refusal and the trace does not complete;
 * - timeout: the root is ERROR/timeout and trace_end says timed_out.
 */
export function makeTrace(options: MakeTraceOptions = {}): GeneratedTrace {
  const count = options.spans ?? 4;
  if (!Number.isInteger(count) || count < 1) throw new RangeError('spans must be an integer >= 1');
  const failing = options.failing || undefined;
  if ((failing === 'tool_failure' || failing === 'llm_refusal') && count < 2) {
    throw new RangeError(`failing: '${failing}' needs at least 2 spans`);
  }

  const id = createIdGenerator(options.seed);
  const trace_id = options.trace_id ?? id('trace');
  const project_id = options.project_id ?? 'project-1';
  const start = options.start_time ?? FIXED_TIME_MS;
  const rootId = id('span');

  const children: Span[] = [];
  for (let i = 0; i < count - 1; i++) {
    const childStart = start + GAP_MS + i * (CHILD_MS + GAP_MS);
    const isTool = i % 2 === 1 || (failing === 'tool_failure' && i === count - 2 && i === 0);
    const base = {
      span_id: id('span'),
      trace_id,
      parent_span_id: rootId,
      start_time: childStart,
      end_time: childStart + CHILD_MS,
    };
    children.push(
      isTool
        ? makeSpan({
            ...base,
            operation: 'tool_call',
            name: 'search_code',
            attributes: {
              tool_name: 'search_code',
              tool_input: '{"query":"parseConfig"}',
              tool_output_length: 512,
            },
          })
        : makeSpan({ ...base, operation: 'llm_call', name: 'generate' }),
    );
  }

  const lastOf = (operation: Span['operation']) =>
    [...children].reverse().find((s) => s.operation === operation);
  if (failing === 'tool_failure') {
    Object.assign(lastOf('tool_call')!, {
      status: 'ERROR',
      error_type: 'tool_failure',
      error_message: 'search_code: upstream returned 503',
    });
  } else if (failing === 'llm_refusal') {
    const llm = lastOf('llm_call')!;
    Object.assign(llm, {
      status: 'ERROR',
      error_type: 'llm_refusal',
      error_message: 'model declined the request',
      attributes: { ...llm.attributes, stop_reason: 'refusal' },
    });
  }

  const lastEnd = children.length > 0 ? children[children.length - 1].end_time : start + CHILD_MS;
  const root = makeSpan({
    span_id: rootId,
    trace_id,
    parent_span_id: null,
    operation: 'agent_step',
    name: 'agent',
    start_time: start,
    end_time: lastEnd + GAP_MS,
    attributes: {},
    ...(failing === 'timeout' && {
      status: 'ERROR' as const,
      error_type: 'timeout' as const,
      error_message: 'session exceeded its time limit',
    }),
  });

  const traceStart = makeTraceStartEvent({
    event_id: id('event'),
    trace_id,
    timestamp: start,
    ...(options.context && { context: options.context }),
  });
  const traceEnd = makeTraceEndEvent({
    event_id: id('event'),
    trace_id,
    timestamp: root.end_time,
    ended_at: root.end_time,
    completed: failing === undefined,
    final_output: failing === undefined ? 'Done: the function now handles empty input.' : null,
    ...(failing === 'timeout' && { timed_out: true }),
  });

  const spans = [...children, root];
  const records: SpansTopicRecord[] = [
    makeEventEnvelope(traceStart, { project_id }),
    ...spans.map((span): SpansTopicRecord => ({
      kind: 'span',
      project_id,
      received_at: span.end_time + 5,
      span,
    })),
    makeEventEnvelope(traceEnd, { project_id }),
  ];
  return { trace_id, project_id, root, spans, events: [traceStart, traceEnd], records };
}
