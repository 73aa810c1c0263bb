// The OTLP trace exporters the stand-in agents export with, pointed at the gateway.
// Env: OTLP_URL, OTLP_KEY, OTLP_EXPORTER=proto (gzip, the default) | json.
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

function otlpExporter(): SpanExporter {
  const url = process.env.OTLP_URL ?? '';
  const key = process.env.OTLP_KEY ?? '';
  return process.env.OTLP_EXPORTER === 'json'
    ? new OtlpHttpJsonExporter({ url, headers: { 'x-api-key': key } })
    : new OtlpProtoExporter({
        url,
        headers: { authorization: `Bearer ${key}` },
        compression: 'gzip' as never,
      });
}

/** Remembers every export result, so a refused export fails the agent's process. */
export class CheckedExporter implements SpanExporter {
  readonly failures: unknown[] = [];
  constructor(private readonly inner: SpanExporter = otlpExporter()) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== 0) this.failures.push(result.error?.message ?? result);
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  /** Throws when any export was refused. */
  check(): void {
    if (this.failures.length > 0) throw new Error(`export failed: ${String(this.failures)}`);
  }
}

/** Runs the agent; on success prints {"traceId":"…"}, on failure its stack to stderr, exit 1. */
export function runAgent(main: () => Promise<string>): void {
  main()
    .then((traceId) => process.stdout.write(`${JSON.stringify({ traceId })}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    });
}
