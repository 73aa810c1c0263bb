// A stand-in agent instrumented the OpenInference way, run as its own process by
// gateway-openinference.int.spec.ts: the real @anthropic-ai/sdk client, patched by
// @arizeai/openinference-instrumentation-anthropic (its require hook, registered before the SDK
// is loaded, as in any CommonJS app), exporting with the OpenTelemetry JS SDK over OTLP/protobuf.
// Every LLM span is the instrumentation's; only the agent's own steps are written here: the root
// span (its session, user and agentmon.* outcome) and the tool it runs between two model turns.
// Env: OTLP_URL, OTLP_KEY, ANTHROPIC_BASE_URL (the fake Messages API), AGENT_FLOW=answer|tool_use,
// AGENT_SESSION, AGENT_USER, AGENT_OUTCOME=off (no agentmon.* attributes at all, as an agent
// written without AgentMon in mind). Prints {"traceId":"…"} once exported.
import type Anthropic from '@anthropic-ai/sdk';
import { AnthropicInstrumentation } from '@arizeai/openinference-instrumentation-anthropic';
import { trace, type Span } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { CheckedExporter, runAgent } from './otlp-exporters';

const MODEL = 'claude-haiku-4-5';

const WEATHER_TOOL: Anthropic.Messages.Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const textOf = (message: Anthropic.Messages.Message) =>
  message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');

const STATES_OUTCOME = process.env.AGENT_OUTCOME !== 'off';

/** What the agent tells AgentMon on its root span, unless it is not written for AgentMon. */
function outcome(root: Span, attributes: Record<string, string | boolean>): void {
  if (STATES_OUTCOME) root.setAttributes(attributes);
}

/** One question, one model turn. A refusal or an API error leaves the task not completed. */
async function answer(anthropic: Anthropic, root: Span): Promise<void> {
  try {
    const message = await anthropic.messages.create({
      model: MODEL,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'How do I reset my password?' }],
    });
    const refused = message.stop_reason === 'refusal';
    outcome(root, { 'agentmon.completed': !refused });
    if (!refused) outcome(root, { 'agentmon.final_output': textOf(message) });
  } catch {
    // The agent gives up on this task: the instrumentation recorded the error on its LLM span.
    outcome(root, { 'agentmon.completed': false });
  }
}

/** The model asks for a tool, the agent runs it (its own TOOL span), the model answers. */
async function toolUse(anthropic: Anthropic, root: Span): Promise<void> {
  const tracer = trace.getTracer('weather-agent');
  const question: Anthropic.Messages.MessageParam = {
    role: 'user',
    content: 'What is the weather in Paris?',
  };
  const first = await anthropic.messages.create({
    model: MODEL,
    max_tokens: 256,
    tools: [WEATHER_TOOL],
    messages: [question],
  });
  const use = first.content.find((block) => block.type === 'tool_use');
  if (use?.type !== 'tool_use') throw new Error('the model asked for no tool');
  const output = await tracer.startActiveSpan(
    `tool ${use.name}`,
    {
      attributes: {
        'openinference.span.kind': 'TOOL',
        'tool.name': use.name,
        'input.value': JSON.stringify(use.input),
      },
    },
    async (span) => {
      const result = '18°C and sunny';
      span.setAttribute('output.value', result);
      span.end();
      return result;
    },
  );
  const second = await anthropic.messages.create({
    model: MODEL,
    max_tokens: 256,
    tools: [WEATHER_TOOL],
    messages: [
      question,
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: output }] },
    ],
  });
  outcome(root, { 'agentmon.completed': true, 'agentmon.final_output': textOf(second) });
}

async function main(): Promise<string> {
  const checked = new CheckedExporter();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'help-desk', 'service.version': '7.1' }),
    spanProcessors: [new SimpleSpanProcessor(checked)],
  });
  provider.register();
  registerInstrumentations({ instrumentations: [new AnthropicInstrumentation()] });
  // Loaded only now, so the instrumentation's require hook patches it.
  const { default: AnthropicClient } = await import('@anthropic-ai/sdk');
  const anthropic = new AnthropicClient({
    apiKey: 'sk-test',
    baseURL: process.env.ANTHROPIC_BASE_URL,
    maxRetries: 0,
  });

  const flow = process.env.AGENT_FLOW === 'tool_use' ? toolUse : answer;
  const tracer = trace.getTracer('help-desk-agent');
  const traceId = await tracer.startActiveSpan(
    'help-desk turn',
    {
      attributes: {
        'openinference.span.kind': flow === toolUse ? 'AGENT' : 'CHAIN',
        'session.id': process.env.AGENT_SESSION ?? '',
        'user.id': process.env.AGENT_USER ?? '',
      },
    },
    async (root) => {
      outcome(root, { 'agentmon.task_type': flow === toolUse ? 'weather' : 'password_reset' });
      await flow(anthropic, root);
      root.end();
      return root.spanContext().traceId;
    },
  );
  await provider.forceFlush();
  await provider.shutdown();
  checked.check();
  return traceId;
}

runAgent(main);
