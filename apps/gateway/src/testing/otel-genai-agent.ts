// A stand-in agent instrumented with the OpenTelemetry JS SDK, run as its own process by
// gateway-otlp.int.spec.ts (the exporters load modules dynamically, which jest's VM refuses).
// Env: OTLP_URL, OTLP_KEY, OTLP_EXPORTER=proto|json. Prints {"traceId":"…"} when exported.
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CheckedExporter, runAgent } from './otlp-exporters';

async function main(): Promise<string> {
  const checked = new CheckedExporter();
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
  checked.check();
  return root.spanContext().traceId;
}

runAgent(main);
