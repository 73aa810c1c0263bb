import Anthropic from '@anthropic-ai/sdk';
import { Limits, SpanIngestSchema } from '@agentmon/contracts';
import { FakeMessagesApi, messageBody } from '@agentmon/testing';
import { RecordingSink } from '../testing/recording-sink';
import { Trace } from '../trace';
import { instrumentAnthropic } from './instrument-anthropic';

const params = {
  model: 'claude-sonnet-4-6',
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }],
};

// The real @anthropic-ai/sdk client, pointed at a Messages API fake on 127.0.0.1.
describe('instrumentAnthropic', () => {
  let api: FakeMessagesApi;
  let anthropic: Anthropic;
  let sink: RecordingSink;
  let trace: Trace;

  beforeEach(async () => {
    api = await new FakeMessagesApi().start();
    anthropic = new Anthropic({ apiKey: 'sk-test', baseURL: api.url, maxRetries: 0 });
    sink = new RecordingSink();
    trace = new Trace(sink);
  });

  afterEach(() => api.close());

  it('records an llm_call span and a tool_call span per tool_use block', async () => {
    const longInput = { city: 'Paris', notes: 'n'.repeat(800) };
    api.reply({
      status: 200,
      body: messageBody(
        [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: longInput },
        ],
        { stop_reason: 'tool_use' },
      ),
    });
    const step = trace.startSpan({ operation: 'agent_step', name: 'turn-1' });
    const client = instrumentAnthropic(anthropic, trace, { parent: step });

    const message = await client.messages.create(params);

    expect(message.content[1]).toMatchObject({ type: 'tool_use', id: 'toolu_01' });
    expect(api.requests).toEqual([expect.objectContaining({ path: '/v1/messages' })]);
    expect(sink.spans).toHaveLength(1);
    const llm = sink.spans[0];
    expect(llm).toMatchObject({
      operation: 'llm_call',
      status: 'OK',
      parent_span_id: step.spanId,
      attributes: {
        model: 'claude-sonnet-4-6',
        input_tokens: 120,
        output_tokens: 45,
        cache_read_tokens: 30,
        cache_write_tokens: 10,
        stop_reason: 'tool_use',
      },
    });

    expect(trace.recordToolResult('toolu_01', { output: '18°C and sunny' })).toBe(true);
    const tool = sink.spans[1];
    expect(tool).toMatchObject({
      operation: 'tool_call',
      name: 'get_weather',
      status: 'OK',
      parent_span_id: step.spanId,
      attributes: {
        tool_name: 'get_weather',
        tool_use_id: 'toolu_01',
        tool_output_length: 14,
        tool_input_truncated: true,
      },
    });
    const toolInput = (tool.attributes as { tool_input: string }).tool_input;
    expect(toolInput).toHaveLength(Limits.toolInputMaxChars);
    expect(toolInput.startsWith('{"city":"Paris"')).toBe(true);
    expect(Number(tool.start_time)).toBeGreaterThanOrEqual(Number(llm.end_time));
    for (const span of sink.spans) expect(SpanIngestSchema.safeParse(span).error).toBeUndefined();
  });

  it('marks a failed tool run as a tool_failure', async () => {
    api.reply({
      status: 200,
      body: messageBody(
        [{ type: 'tool_use', id: 'toolu_02', name: 'shell', input: { cmd: 'ls' } }],
        {
          stop_reason: 'tool_use',
        },
      ),
    });
    const client = instrumentAnthropic(anthropic, () => trace);
    await client.messages.create(params);
    trace.recordToolResult('toolu_02', { output: 'permission denied', isError: true });
    expect(sink.spans[1]).toMatchObject({
      operation: 'tool_call',
      status: 'ERROR',
      error_type: 'tool_failure',
      error_message: 'permission denied',
      attributes: { tool_input: '{"cmd":"ls"}' },
    });
  });

  it('records an API error on the span and rethrows it to the agent', async () => {
    api.reply({
      status: 429,
      body: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } },
    });
    const client = instrumentAnthropic(anthropic, trace);
    const failure = client.messages.create(params);
    await expect(failure).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    await waitFor(() => sink.spans.length === 1);
    expect(sink.spans[0]).toMatchObject({
      operation: 'llm_call',
      status: 'ERROR',
      error_type: 'rate_limited',
      attributes: { model: 'claude-sonnet-4-6', 'http.status_code': 429 },
    });
    expect(sink.spans[0].error_message).toContain('slow down');
  });

  it('flags a refusal as an llm_refusal error', async () => {
    api.reply({ status: 200, body: messageBody([], { stop_reason: 'refusal' }) });
    await instrumentAnthropic(anthropic, trace).messages.create(params);
    expect(sink.spans[0]).toMatchObject({
      status: 'ERROR',
      error_type: 'llm_refusal',
      attributes: { stop_reason: 'refusal' },
    });
  });

  it('keeps the SDK promise intact (withResponse) and passes through without a trace', async () => {
    api.reply(
      { status: 200, body: messageBody([{ type: 'text', text: 'hi' }]) },
      { status: 200, body: messageBody([{ type: 'text', text: 'untraced' }]) },
    );
    const traced = instrumentAnthropic(anthropic, trace);
    const { data, response } = await traced.messages.create(params).withResponse();
    expect(response.status).toBe(200);
    expect(data.content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(sink.spans).toHaveLength(1);

    const untraced = instrumentAnthropic(anthropic, () => undefined);
    const message = await untraced.messages.create(params);
    expect(message.content).toEqual([{ type: 'text', text: 'untraced' }]);
    expect(sink.spans).toHaveLength(1);
    expect(untraced.apiKey).toBe('sk-test');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
