import type { SpanIngest, TraceEventIngest } from '@agentmon/contracts';
import { BatchExporter } from './export/batch-exporter';
import type { ExportErrorEvent, ExportRejection, ExportStats } from './export/export-stats';
import type { FetchLike } from './export/post-batch';
import { toFeedbackEvent, type Feedback } from './feedback';
import { Trace, type StartTraceOptions, type TelemetrySink } from './trace';
import { toWireId } from './wire-id';

export interface AgentMonClientOptions {
  /** Gateway base URL, e.g. `https://agentmon.example.com` (routes `/v1/spans`, `/v1/events` are appended). */
  endpoint: string;
  apiKey: string;
  /** A partial batch is sent after at most this long. Default 1000. */
  flushIntervalMs?: number;
  /** Items per request, at most 1000 (the gateway's limit). Default 100. */
  maxBatchSize?: number;
  /** Queued + in-flight items; beyond this new items are dropped and counted. Default 10000. */
  maxBufferedItems?: number;
  /** Retries of one batch after 429/5xx/network errors. Default 5. */
  maxRetries?: number;
  /** First retry waits up to this long (full jitter), doubling each time. Default 200. */
  initialBackoffMs?: number;
  /** Cap for one backoff wait (a longer Retry-After, up to 60 s, still wins). Default 30000. */
  maxBackoffMs?: number;
  /** Per request. Default 10000. */
  requestTimeoutMs?: number;
  /** shutdown() gives up after this long; what is left counts as dropped. Default 10000. */
  shutdownTimeoutMs?: number;
  /** Defaults to the global fetch (Node 20). */
  fetch?: FetchLike;
  /** Told about every rejection and drop, e.g. to log them; errors thrown here are ignored. */
  onError?: (event: ExportErrorEvent) => void;
}

const DEFAULTS = {
  flushIntervalMs: 1_000,
  maxBatchSize: 100,
  maxBufferedItems: 10_000,
  maxRetries: 5,
  initialBackoffMs: 200,
  maxBackoffMs: 30_000,
  requestTimeoutMs: 10_000,
  shutdownTimeoutMs: 10_000,
};

/**
 * Entry point of the SDK: starts traces and ships their spans and events to the AgentMon
 * gateway in the background. One instance per process is enough.
 */
export class AgentMonClient {
  private readonly exporter: BatchExporter;
  private readonly sink: TelemetrySink;

  constructor(options: AgentMonClientOptions) {
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.exporter = new BatchExporter({
      ...DEFAULTS,
      ...definedOnly(options),
      endpoint: options.endpoint,
      apiKey: options.apiKey,
      fetch: fetchImpl,
    });
    this.sink = {
      exportSpan: (span: SpanIngest) => this.exporter.enqueue('spans', span),
      exportEvent: (event: TraceEventIngest) => this.exporter.enqueue('events', event),
      feedback: (traceId: string, feedback: Feedback) => this.feedback(traceId, feedback),
    };
  }

  /** Starts a trace and sends its trace_start event with the given context. */
  startTrace(options: StartTraceOptions = {}): Trace {
    return new Trace(this.sink, options);
  }

  /** Feedback on a trace, possibly long after it ended (e.g. from a rating endpoint). */
  feedback(traceId: string, feedback: Feedback): void {
    try {
      this.exporter.enqueue('events', toFeedbackEvent(toWireId(String(traceId)), feedback));
    } catch {
      // Malformed feedback from untyped callers is counted by the exporter, never thrown.
    }
  }

  stats(): ExportStats {
    return this.exporter.stats();
  }

  /** The last rejections with the gateway's issues, for diagnosing a bad API key or payload. */
  rejections(): ExportRejection[] {
    return this.exporter.rejections();
  }

  /** Sends everything recorded so far. Never rejects. */
  flush(): Promise<void> {
    return this.exporter.flush();
  }

  /** Flushes (bounded by shutdownTimeoutMs) and stops; later spans and events are dropped. */
  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
