// A stand-in agent instrumented with the OpenTelemetry JS SDK, run as its own process by
// gateway-otlp.int.spec.ts (the exporters load modules dynamically, which jest's VM refuses).
// Env: OTLP_URL, OTLP_KEY, OTLP_EXPORTER=proto|json. Prints {"traceId":"…"} when exported.
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  ReadableSpan,
  SimpleSpanProcessor,
  SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { ExportResult } from '@opentelemetry/core';

function exporter(): SpanExporter {
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

/** Remembers every export result, so a refused export fails this process. */
class CheckedExporter implements SpanExporter {
  readonly failures: unknown[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== 0) this.failures.push(result.error?.message ?? result);
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

async function main(): Promise<void> {
  const checked = new CheckedExporter(exporter());
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-bot', 'service.version': '4.2' }),
    spanProcessors: [new SimpleSpanProcessor(checked)],
  });
  const tracer = provider.getTracer('agent-under-test');
  const root = tracer.startSpan('invoke_agent support', {
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.conversation.id': 'conv-42',
      'agentmon.task_type': 'refund',
      'agentmon.user_segment': 'enterprise',
    },
  });
  const inRoot = trace.setSpan(ROOT_CONTEXT, root);
  tracer
    .startSpan(
      'chat claude-sonnet-4',
      {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'claude-sonnet-4',
          'gen_ai.usage.input_tokens': 1500,
          'gen_ai.usage.cache_read.input_tokens': 300,
          'gen_ai.usage.output_tokens': 300,
          'gen_ai.response.finish_reasons': ['tool_use'],
        },
      },
      inRoot,
    )
    .end();
  const tool = tracer.startSpan(
    'execute_tool lookup_order',
    {
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'lookup_order',
        'gen_ai.tool.call.arguments': JSON.stringify({ q: 'x'.repeat(800) }),
      },
    },
    inRoot,
  );
  tool.recordException(new Error('order service down'));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'order service down' });
  tool.end();
  root.setAttribute('agentmon.completed', true);
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  if (checked.failures.length > 0) throw new Error(`export failed: ${String(checked.failures)}`);
  process.stdout.write(`${JSON.stringify({ traceId: root.spanContext().traceId })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
