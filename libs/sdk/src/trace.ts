import {
  Limits,
  truncateString,
  type SpanErrorType,
  type SpanIngest,
  type SpanOperation,
  type TraceContext,
  type TraceEventIngest,
} from '@agentmon/contracts';
import type { Feedback } from './feedback';
import type { AttributeInput } from './sanitize-attributes';
import { Span } from './span';
import { toEpochMs, type TimeInput } from './time-input';
import { newId, toWireId } from './wire-id';

/** Where finished spans and events go; the client's exporter in production, an array in tests. */
export interface TelemetrySink {
  exportSpan(span: SpanIngest): void;
  exportEvent(event: TraceEventIngest): void;
  feedback(traceId: string, feedback: Feedback): void;
}

/** Slice tags and identity of one session, sent once in the trace_start event. */
export interface TraceContextInput {
  sessionId?: string;
  userId?: string;
  taskType?: string;
  userSegment?: string;
  platform?: string;
  modelVersion?: string;
  agentVersion?: string;
  /** Length of the user's query in characters. */
  queryLength?: number;
  /** 1 for the user's first session. */
  sessionNumber?: number;
}

export interface StartTraceOptions extends TraceContextInput {
  /** Defaults to a fresh id; ids outside the contract's charset are hashed (see toWireId). */
  traceId?: string;
  startTime?: TimeInput;
}

export interface StartSpanOptions {
  operation: SpanOperation;
  name?: string;
  /** The enclosing span; omitted or null makes a top-level span of the trace. */
  parent?: Span | null;
  attributes?: Record<string, AttributeInput>;
  startTime?: TimeInput;
}

export interface EndTraceOptions {
  /** The agent considers the task done. */
  completed: boolean;
  finalOutput?: string | null;
  timedOut?: boolean;
  endTime?: TimeInput;
}

export interface StartToolCallOptions {
  /** The model's id for this call (Anthropic `tool_use.id`); recordToolResult looks it up. */
  toolUseId: string;
  name: string;
  input?: unknown;
  parent?: Span | null;
  startTime?: TimeInput;
}

export interface ToolResult {
  /** Only its length is sent (tool_output_length); non-strings are measured as JSON. */
  output?: unknown;
  isError?: boolean;
  errorMessage?: string;
  errorType?: SpanErrorType;
  costUsd?: number;
  endTime?: TimeInput;
}

/** Bounds the tool calls a trace remembers while waiting for results (bounded memory). */
const MAX_PENDING_TOOL_CALLS = 1_000;

function sliceTag(value: string | undefined): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return truncateString(value, Limits.sliceValueMaxChars);
}

function wireId(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? toWireId(value) : undefined;
}

function count(value: number | undefined, min: number): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min
    ? value
    : undefined;
}

export function toTraceContext(input: TraceContextInput): TraceContext {
  const context: TraceContext = {
    session_id: wireId(input.sessionId),
    user_id: wireId(input.userId),
    task_type: sliceTag(input.taskType),
    user_segment: sliceTag(input.userSegment),
    platform: sliceTag(input.platform),
    model_version: sliceTag(input.modelVersion),
    agent_version: sliceTag(input.agentVersion),
    query_length: count(input.queryLength, 0),
    session_number: count(input.sessionNumber, 1),
  };
  for (const key of Object.keys(context) as (keyof TraceContext)[]) {
    if (context[key] === undefined) delete context[key];
  }
  return context;
}

function measure(output: unknown): number | undefined {
  if (output === undefined) return undefined;
  if (typeof output === 'string') return output.length;
  try {
    return JSON.stringify(output)?.length;
  } catch {
    return undefined;
  }
}

function serializeToolInput(input: unknown): string | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'string') return input;
  try {
    return JSON.stringify(input);
  } catch {
    return undefined;
  }
}

/** One agent session working on one user task. Never throws into the agent's code. */
export class Trace {
  readonly traceId: string;
  private readonly openSpans = new Set<Span>();
  private readonly toolCalls = new Map<string, Span>();
  private ended = false;

  constructor(
    private readonly sink: TelemetrySink,
    options: StartTraceOptions = {},
  ) {
    this.traceId = options.traceId ? toWireId(options.traceId) : newId();
    const timestamp = toEpochMs(options.startTime);
    sink.exportEvent({
      event_id: newId(),
      trace_id: this.traceId,
      timestamp,
      type: 'trace_start',
      context: toTraceContext(options),
    });
  }

  get isEnded(): boolean {
    return this.ended;
  }

  startSpan(options: StartSpanOptions): Span {
    const parent =
      options.parent && options.parent.traceId === this.traceId ? options.parent : null;
    const span: Span = new Span({
      spanId: newId(),
      traceId: this.traceId,
      parentSpanId: parent ? parent.spanId : null,
      operation: options.operation,
      name: options.name,
      startTime: toEpochMs(options.startTime),
      attributes: options.attributes,
      onEnd: (finished) => {
        this.openSpans.delete(span);
        this.sink.exportSpan(finished);
      },
    });
    this.openSpans.add(span);
    return span;
  }

  /**
   * Runs `fn` inside a span: the span ends when `fn` settles and is marked ERROR if it throws.
   * The agent's own error is rethrown unchanged.
   */
  async withSpan<T>(options: StartSpanOptions, fn: (span: Span) => Promise<T> | T): Promise<T> {
    const span = this.startSpan(options);
    try {
      return await fn(span);
    } catch (error) {
      span.setError(error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      span.end();
    }
  }

  /** Opens a tool_call span the agent closes with recordToolResult once the tool has run. */
  startToolCall(options: StartToolCallOptions): Span {
    const input = serializeToolInput(options.input);
    const span = this.startSpan({
      operation: 'tool_call',
      name: options.name,
      parent: options.parent,
      startTime: options.startTime,
      attributes: { tool_name: options.name, tool_use_id: options.toolUseId, tool_input: input },
    });
    if (this.toolCalls.size >= MAX_PENDING_TOOL_CALLS) {
      const oldest = this.toolCalls.keys().next().value as string;
      this.toolCalls.get(oldest)?.end();
      this.toolCalls.delete(oldest);
    }
    this.toolCalls.set(options.toolUseId, span);
    return span;
  }

  /** Ends the tool_call span opened for `toolUseId`; false when no such call is open. */
  recordToolResult(toolUseId: string, result: ToolResult = {}): boolean {
    const span = this.toolCalls.get(toolUseId);
    if (!span) return false;
    this.toolCalls.delete(toolUseId);
    span.setAttributes({
      tool_output_length: measure(result.output),
      tool_cost_usd: result.costUsd,
    });
    if (result.isError) {
      const message =
        result.errorMessage ??
        (typeof result.output === 'string' && result.output
          ? result.output
          : 'tool returned an error');
      span.setError(message, result.errorType ?? 'tool_failure');
    }
    span.end(result.endTime);
    return true;
  }

  /**
   * Sends trace_end. Spans still open are ended first so they are not lost; tool calls that never
   * got a result are flagged with `tool_result_missing`. Only the first call counts.
   */
  end(options: EndTraceOptions): void {
    if (this.ended) return;
    this.ended = true;
    const endedAt = toEpochMs(options?.endTime);
    for (const span of this.toolCalls.values()) span.setAttribute('tool_result_missing', true);
    this.toolCalls.clear();
    for (const span of [...this.openSpans]) span.end(endedAt);
    const output = options?.finalOutput;
    const truncated = typeof output === 'string' && output.length > Limits.finalOutputMaxChars;
    const event: TraceEventIngest = {
      event_id: newId(),
      trace_id: this.traceId,
      timestamp: Date.now(),
      type: 'trace_end',
      completed: options?.completed === true,
      ended_at: endedAt,
    };
    if (output !== undefined) {
      event.final_output = truncated ? truncateString(output, Limits.finalOutputMaxChars) : output;
    }
    if (truncated) event.final_output_truncated = true;
    if (options?.timedOut !== undefined) event.timed_out = options.timedOut;
    this.sink.exportEvent(event);
  }

  /** Feedback on this trace; may also be sent later with AgentMonClient.feedback(traceId, …). */
  feedback(feedback: Feedback): void {
    this.sink.feedback(this.traceId, feedback);
  }
}
