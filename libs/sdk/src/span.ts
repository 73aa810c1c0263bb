import {
  Limits,
  truncateSpanAttributes,
  truncateString,
  type AttributeValue,
  type SpanErrorType,
  type SpanEventIngest,
  type SpanIngest,
  type SpanOperation,
} from '@agentmon/contracts';
import { mergeAttributes, type AttributeInput } from './sanitize-attributes';
import { toEpochMs, type TimeInput } from './time-input';

export interface SpanInit {
  spanId: string;
  traceId: string;
  parentSpanId: string | null;
  operation: SpanOperation;
  name?: string;
  startTime: number;
  attributes?: Record<string, AttributeInput>;
  /** Receives the finished span exactly once. */
  onEnd: (span: SpanIngest) => void;
}

/**
 * One step of a trace. Every method is safe to call in any state and never throws: after end()
 * the span is already on its way to the gateway, so later changes are ignored.
 */
export class Span {
  readonly spanId: string;
  readonly traceId: string;
  readonly parentSpanId: string | null;
  readonly operation: SpanOperation;
  private readonly name?: string;
  private readonly startTime: number;
  private readonly attributes: Record<string, AttributeValue> = {};
  private readonly events: SpanEventIngest[] = [];
  private status: 'OK' | 'ERROR' = 'OK';
  private errorMessage?: string;
  private errorType?: SpanErrorType;
  private ended = false;
  private readonly onEnd: (span: SpanIngest) => void;

  constructor(init: SpanInit) {
    this.spanId = init.spanId;
    this.traceId = init.traceId;
    this.parentSpanId = init.parentSpanId;
    this.operation = init.operation;
    const name = init.name ? truncateString(init.name, Limits.nameMaxChars) : undefined;
    if (name) this.name = name;
    this.startTime = init.startTime;
    this.onEnd = init.onEnd;
    if (init.attributes) mergeAttributes(this.attributes, init.attributes);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  setAttribute(key: string, value: AttributeInput): this {
    return this.setAttributes({ [key]: value });
  }

  setAttributes(attributes: Record<string, AttributeInput>): this {
    if (!this.ended && attributes && typeof attributes === 'object') {
      mergeAttributes(this.attributes, attributes);
    }
    return this;
  }

  addEvent(name: string, attributes?: Record<string, AttributeInput>, time?: TimeInput): this {
    if (this.ended || this.events.length >= Limits.spanEventsMax || !name) return this;
    const event: SpanEventIngest = {
      name: truncateString(String(name), Limits.nameMaxChars),
      timestamp: toEpochMs(time),
    };
    if (attributes && typeof attributes === 'object') {
      const clean: Record<string, AttributeValue> = {};
      mergeAttributes(clean, attributes);
      event.attributes = clean;
    }
    this.events.push(event);
    return this;
  }

  /** Marks the span failed; the last call wins. */
  setError(message: string, errorType?: SpanErrorType): this {
    if (this.ended) return this;
    this.status = 'ERROR';
    this.errorMessage = truncateString(String(message ?? ''), Limits.errorMessageMaxChars);
    this.errorType = errorType;
    return this;
  }

  /** Ends the span and queues it for export. Only the first call counts. */
  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    const span: SpanIngest = {
      span_id: this.spanId,
      trace_id: this.traceId,
      parent_span_id: this.parentSpanId,
      operation: this.operation,
      status: this.status,
      start_time: this.startTime,
      // A clock step backwards must not make the span invalid.
      end_time: Math.max(this.startTime, toEpochMs(endTime)),
      attributes: truncateSpanAttributes(this.attributes as { tool_input?: string }),
      events: this.events,
    };
    if (this.name) span.name = this.name;
    if (this.status === 'ERROR') {
      span.error_message = this.errorMessage;
      if (this.errorType) span.error_type = this.errorType;
    }
    this.onEnd(span);
  }
}
