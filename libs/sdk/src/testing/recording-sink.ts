import type { SpanIngest, TraceEventIngest } from '@agentmon/contracts';
import { toFeedbackEvent, type Feedback } from '../feedback';
import type { TelemetrySink } from '../trace';

/** A sink that keeps what a Trace exports, for specs of the tracing API. */
export class RecordingSink implements TelemetrySink {
  spans: SpanIngest[] = [];
  events: TraceEventIngest[] = [];
  exportSpan(span: SpanIngest): void {
    this.spans.push(span);
  }
  exportEvent(event: TraceEventIngest): void {
    this.events.push(event);
  }
  feedback(traceId: string, feedback: Feedback): void {
    this.events.push(toFeedbackEvent(traceId, feedback));
  }
  span(name: string): SpanIngest {
    const span = this.spans.find((s) => s.name === name);
    if (!span) throw new Error(`no span ${name}`);
    return span;
  }
}
