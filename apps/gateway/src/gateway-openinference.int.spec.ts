import { ApiKeyRegistry } from '@agentmon/ingest-auth';
import { FakeMessagesApi, messageBody } from '@agentmon/testing';
import { TracePipeline, type SummaryRow } from '@agentmon/trace-pipeline';
import { randomUUID } from 'node:crypto';

// An agent instrumented with OpenInference (@arizeai/openinference-instrumentation-anthropic on
// the real @anthropic-ai/sdk, the OpenTelemetry JS SDK exporting OTLP/protobuf) calls the fake
// Messages API; its traces go through the gateway's /v1/traces and the sessionizer into
// ClickHouse. The SDK also emits its own GenAI span inside each OpenInference LLM span (its
// default once a tracer provider is registered): one call recorded twice, counted once.

const KEY = `am_live_${randomUUID()}`;
const AGENT = 'apps/gateway/src/testing/openinference-anthropic-agent.ts';
const MODEL = 'claude-haiku-4-5';
const SERVED_BY = 'claude-haiku-4-5-20251001';
// The agent's model is priced apart from the default ($3 / $15): the cost shows which model
// priced it.
const HAIKU = { inputPerMillion: 1, outputPerMillion: 5, cacheReadPerMillion: 0.1 };
const PRICES = {
  models: { [MODEL]: { ...HAIKU, cacheWritePerMillion: 1.25 } },
  defaultPrice: {
    inputPerMillion: 3,
    outputPerMillion: 15,
    cacheReadPerMillion: 0.3,
    cacheWritePerMillion: 3.75,
  },
};

const ZERO_ERRORS = {
  errors_tool_failure: 0,
  errors_llm_refusal: 0,
  errors_timeout: 0,
  errors_user_abandonment: 0,
  errors_hallucination_caught: 0,
};

/** The summary's numbers as numbers (ClickHouse returns 64-bit counts as strings). */
function numbers(row: SummaryRow, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, Number(row[k])]));
}

describe('OpenInference-instrumented Anthropic client → /v1/traces → trace summary', () => {
  const pipeline = new TracePipeline({
    apiKeys: `help-desk:${ApiKeyRegistry.digest(KEY)}`,
    sessionizerEnv: {
      SESSIONIZER_PRICE_TABLE: JSON.stringify(PRICES),
      // Keep every trace's spans, so each span's mapping can be read back too.
      SESSIONIZER_SUCCESS_SAMPLE_RATE: '1',
    },
  });
  let api: FakeMessagesApi;

  beforeAll(async () => {
    api = await new FakeMessagesApi().start();
    await pipeline.start();
  }, 150000);

  afterAll(async () => {
    await api?.close();
    await pipeline.stop();
  }, 60000);

  async function runAgent(flow: 'answer' | 'tool_use', env: Record<string, string> = {}) {
    const session = `sess-${randomUUID()}`;
    const user = `user-${randomUUID()}`;
    const traceId = await pipeline.runAgent(AGENT, {
      OTLP_URL: await pipeline.tracesUrl(),
      OTLP_KEY: KEY,
      ANTHROPIC_BASE_URL: api.url,
      AGENT_FLOW: flow,
      AGENT_SESSION: session,
      AGENT_USER: user,
      ...env,
    });
    return { traceId, session, user, summary: await pipeline.summaryOf(traceId) };
  }

  beforeEach(() => {
    api.requests.length = 0;
  });

  it('a successful call: model from llm.model_name, tokens from llm.token_count.*, priced, completed', async () => {
    api.reply({
      status: 200,
      body: messageBody([{ type: 'text', text: 'Use the reset link on the sign-in page.' }], {
        model: SERVED_BY,
        usage: {
          input_tokens: 120,
          output_tokens: 45,
          cache_read_input_tokens: 30,
          cache_creation_input_tokens: 10,
        },
      }),
    });
    const { traceId, session, user, summary } = await runAgent('answer');

    expect(api.requests).toEqual([
      expect.objectContaining({
        path: '/v1/messages',
        body: expect.objectContaining({ model: MODEL }),
      }),
    ]);
    expect(summary).toMatchObject({
      project_id: 'help-desk',
      session_id: session,
      user_id: user,
      task_type: 'password_reset',
      agent_version: '7.1',
      final_output: 'Use the reset link on the sign-in page.',
      closed_reason: 'trace_end',
    });
    expect(
      numbers(summary, [
        'completed',
        'span_count',
        'llm_call_count',
        'input_tokens',
        'output_tokens',
        'cache_read_tokens',
        'cache_write_tokens',
        'error_count',
        ...Object.keys(ZERO_ERRORS),
      ]),
    ).toEqual({
      completed: 1,
      // The agent's root, OpenInference's LLM span, the SDK's own chat span inside it.
      span_count: 3,
      llm_call_count: 1,
      // llm.token_count.prompt (160) includes the cached 30 + 10; AgentMon counts them apart.
      input_tokens: 120,
      output_tokens: 45,
      cache_read_tokens: 30,
      cache_write_tokens: 10,
      error_count: 0,
      ...ZERO_ERRORS,
    });
    expect(Number(summary.cost_usd)).toBeCloseTo(
      (120 * 1 + 45 * 5 + 30 * 0.1 + 10 * 1.25) / 1e6,
      12,
    );

    const spans = await pipeline.spansOf(traceId, 3);
    const llm = spans.filter((s) => s.operation === 'llm_call');
    expect(
      llm.map((s) => [s.name, s.model, Number(s.input_tokens), Number(s.output_tokens)]),
    ).toEqual(
      expect.arrayContaining([
        ['Anthropic Messages', SERVED_BY, 120, 45],
        ['anthropic.messages.create', SERVED_BY, 120, 45],
      ]),
    );
    const attributes = JSON.parse(
      String(llm.find((s) => s.name === 'Anthropic Messages')?.attributes_json),
    );
    expect(attributes).toMatchObject({ stop_reason: 'end_turn', 'llm.provider': 'anthropic' });
    // Prompts and answers never reach storage.
    expect(JSON.stringify(spans)).not.toContain('How do I reset my password');
    expect(JSON.stringify(spans)).not.toContain('sign-in page');
  });

  it('a tool-use flow: an AGENT root around two LLM calls and the tool the agent ran', async () => {
    api.reply(
      {
        status: 200,
        body: messageBody(
          [
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
          ],
          {
            model: SERVED_BY,
            stop_reason: 'tool_use',
            usage: { input_tokens: 200, output_tokens: 40 },
          },
        ),
      },
      {
        status: 200,
        body: messageBody([{ type: 'text', text: 'It is 18°C and sunny in Paris.' }], {
          model: SERVED_BY,
          usage: { input_tokens: 60, output_tokens: 20, cache_read_input_tokens: 200 },
        }),
      },
    );
    const { traceId, session, summary } = await runAgent('tool_use');

    expect(api.requests).toHaveLength(2);
    expect(JSON.stringify(api.requests[1].body.messages)).toContain('"tool_use_id":"toolu_01"');
    expect(summary).toMatchObject({
      session_id: session,
      task_type: 'weather',
      final_output: 'It is 18°C and sunny in Paris.',
    });
    expect(
      numbers(summary, [
        'completed',
        'span_count',
        'step_count',
        'llm_call_count',
        'tool_call_count',
        'tool_error_count',
        'input_tokens',
        'output_tokens',
        'cache_read_tokens',
        'error_count',
      ]),
    ).toEqual({
      completed: 1,
      // Root, tool, and two calls recorded each by OpenInference and by the SDK.
      span_count: 6,
      step_count: 1,
      llm_call_count: 2,
      tool_call_count: 1,
      tool_error_count: 0,
      input_tokens: 260,
      output_tokens: 60,
      cache_read_tokens: 200,
      error_count: 0,
    });
    expect(Number(summary.cost_usd)).toBeCloseTo((260 * 1 + 60 * 5 + 200 * 0.1) / 1e6, 12);

    const spans = await pipeline.spansOf(traceId, 6);
    const byOperation = (op: string) => spans.filter((s) => s.operation === op);
    expect(byOperation('agent_step')).toEqual([
      expect.objectContaining({ name: 'help-desk turn', parent_span_id: '' }),
    ]);
    const [tool] = byOperation('tool_call');
    expect(tool).toMatchObject({ tool_name: 'get_weather', status: 'OK' });
    expect(JSON.parse(String(tool.attributes_json))).toMatchObject({
      tool_input: '{"city":"Paris"}',
      tool_output_length: '18°C and sunny'.length,
    });
    const stops = byOperation('llm_call')
      .filter((s) => s.name === 'Anthropic Messages')
      .map((s) => JSON.parse(String(s.attributes_json)).stop_reason);
    expect(stops).toEqual(['tool_use', 'end_turn']);
  });

  it.each([
    ['a rate limit (429 rate_limit_error)', 429, 'rate_limit_error', 'rate_limited', ZERO_ERRORS],
    [
      'a gateway timeout (504 timeout_error)',
      504,
      'timeout_error',
      'timeout',
      { ...ZERO_ERRORS, errors_timeout: 1 },
    ],
  ])(
    'an API error, %s: the LLM span fails with its error type, the task is not completed',
    async (_name, status, type, errorType, errorTypes) => {
      api.reply({ status, body: { type: 'error', error: { type, message: 'try again later' } } });
      const { traceId, summary } = await runAgent('answer');

      expect(api.requests).toHaveLength(1);
      expect(summary).toMatchObject({ sampled: 1, sampling_rule: 'failure', final_output: '' });
      expect(
        numbers(summary, [
          'completed',
          'llm_call_count',
          'error_count',
          'input_tokens',
          'cost_usd',
          ...Object.keys(ZERO_ERRORS),
        ]),
      ).toEqual({
        completed: 0,
        llm_call_count: 1,
        // OpenInference's span and the SDK's both failed: one call, one error.
        error_count: 1,
        input_tokens: 0,
        cost_usd: 0,
        ...errorTypes,
      });
      const failed = (await pipeline.spansOf(traceId, 3)).filter((s) => s.status === 'ERROR');
      expect(failed.map((s) => [s.name, s.error_type, s.model]).sort()).toEqual([
        ['Anthropic Messages', errorType, MODEL],
        ['anthropic.messages.create', errorType, MODEL],
      ]);
      expect(failed.find((s) => s.name === 'Anthropic Messages')?.error_message).toContain(
        'try again later',
      );
    },
  );

  it('a refusal (stop_reason refusal, llm.finish_reason) counts as an LLM refusal', async () => {
    api.reply({
      status: 200,
      body: messageBody([], {
        model: SERVED_BY,
        stop_reason: 'refusal',
        usage: { input_tokens: 80, output_tokens: 0 },
      }),
    });
    const { summary } = await runAgent('answer');
    expect(
      numbers(summary, ['completed', 'error_count', 'input_tokens', ...Object.keys(ZERO_ERRORS)]),
    ).toEqual({
      completed: 0,
      // The call succeeded; the model declined.
      error_count: 0,
      input_tokens: 80,
      ...ZERO_ERRORS,
      errors_llm_refusal: 1,
    });
  });

  it('an agent that states no agentmon.* at all: session and user from OpenInference, closed on its root', async () => {
    api.reply({
      status: 200,
      body: messageBody([{ type: 'text', text: 'Use the reset link.' }], { model: SERVED_BY }),
    });
    const { session, user, summary } = await runAgent('answer', { AGENT_OUTCOME: 'off' });
    expect(summary).toMatchObject({
      session_id: session,
      user_id: user,
      task_type: '',
      agent_version: '7.1',
      // Its root span's context does not make it an SDK-style trace: it closes on the root.
      closed_reason: 'root_grace',
      flags: ['missing_trace_end'],
    });
    // Inferred from the root span, which ended OK.
    expect(numbers(summary, ['completed', 'abandoned', 'llm_call_count'])).toEqual({
      completed: 1,
      abandoned: 0,
      llm_call_count: 1,
    });
  });
});
