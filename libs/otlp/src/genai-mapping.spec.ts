import { SpanSchema } from '@agentmon/contracts';
import {
  errorTypeOf,
  mapOtlpSpan,
  operationOf,
  rootSpanEvents,
  stopReasonOf,
  tokensOf,
} from './genai-mapping';
import type { OtlpAttributes, OtlpSpanView } from './otlp-model';

const T0 = Date.UTC(2025, 0, 1);

function view(over: Partial<OtlpSpanView> = {}): OtlpSpanView {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '00f067aa0ba902b7',
    name: 'chat claude',
    startMs: T0,
    endMs: T0 + 1200,
    attributes: {},
    events: [],
    statusCode: 0,
    statusMessage: '',
    resource: {},
    ...over,
  };
}

describe('operationOf', () => {
  it.each<[OtlpAttributes, string]>([
    [{ 'gen_ai.operation.name': 'chat' }, 'llm_call'],
    [{ 'gen_ai.operation.name': 'text_completion' }, 'llm_call'],
    [{ 'gen_ai.operation.name': 'generate_content' }, 'llm_call'],
    [{ 'gen_ai.operation.name': 'execute_tool' }, 'tool_call'],
    [{ 'gen_ai.operation.name': 'invoke_agent' }, 'agent_step'],
    [{ 'gen_ai.operation.name': 'create_agent' }, 'agent_step'],
    [{ 'gen_ai.operation.name': 'embeddings' }, 'embedding'],
    [{ 'gen_ai.operation.name': 'retrieval' }, 'retrieval'],
    [{ 'openinference.span.kind': 'LLM' }, 'llm_call'],
    [{ 'openinference.span.kind': 'TOOL' }, 'tool_call'],
    [{ 'openinference.span.kind': 'AGENT' }, 'agent_step'],
    [{ 'openinference.span.kind': 'RETRIEVER' }, 'retrieval'],
    [{ 'openinference.span.kind': 'EMBEDDING' }, 'embedding'],
    [{ 'openinference.span.kind': 'GUARDRAIL' }, 'guardrail'],
    [{ 'openinference.span.kind': 'CHAIN' }, 'other'],
    [{ 'openinference.span.kind': 'PROMPT' }, 'other'],
    [{ 'openinference.span.kind': 'RERANKER' }, 'retrieval'],
    [{ 'openinference.span.kind': 'llm' }, 'llm_call'],
    [{ 'gen_ai.tool.name': 'search' }, 'tool_call'],
    [{ 'gen_ai.request.model': 'm' }, 'llm_call'],
    [{ 'llm.model_name': 'm' }, 'llm_call'],
    [{ 'gen_ai.operation.name': 'something_new' }, 'other'],
    [{}, 'other'],
  ])('%j → %s', (attributes, operation) => {
    expect(operationOf(attributes)).toBe(operation);
  });
});

describe('tokensOf: input includes cached tokens in both conventions, counted once here', () => {
  it.each<[string, OtlpAttributes, object]>([
    [
      'GenAI with cache read and write',
      {
        'gen_ai.usage.input_tokens': 1500,
        'gen_ai.usage.cache_read.input_tokens': 1000,
        'gen_ai.usage.cache_creation.input_tokens': 200,
        'gen_ai.usage.output_tokens': 300,
      },
      { input_tokens: 300, cache_read_tokens: 1000, cache_write_tokens: 200, output_tokens: 300 },
    ],
    [
      'GenAI without cache',
      { 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300 },
      { input_tokens: 1200, output_tokens: 300 },
    ],
    [
      'GenAI reasoning stays inside output',
      { 'gen_ai.usage.output_tokens': 900, 'gen_ai.usage.reasoning.output_tokens': 600 },
      { output_tokens: 900, reasoning_output_tokens: 600 },
    ],
    [
      'OpenInference prompt/completion with cache details',
      {
        'llm.token_count.prompt': 50,
        'llm.token_count.prompt_details.cache_read': 30,
        'llm.token_count.prompt_details.cache_write': 5,
        'llm.token_count.completion': 7,
        'llm.token_count.total': 57,
      },
      { input_tokens: 15, cache_read_tokens: 30, cache_write_tokens: 5, output_tokens: 7 },
    ],
    [
      'the Anthropic SDK spells cache creation cache_write',
      {
        'gen_ai.usage.input_tokens': 160,
        'gen_ai.usage.cache_read.input_tokens': 30,
        'gen_ai.usage.cache_write.input_tokens': 10,
        'gen_ai.usage.output_tokens': 45,
      },
      { input_tokens: 120, cache_read_tokens: 30, cache_write_tokens: 10, output_tokens: 45 },
    ],
    [
      'OpenInference Anthropic: prompt = input + cache read + cache write (as the instrumentation adds them)',
      {
        'llm.token_count.prompt': 160,
        'llm.token_count.prompt_details.cache_read': 30,
        'llm.token_count.prompt_details.cache_write': 10,
        'llm.token_count.completion': 45,
        'llm.token_count.total': 205,
      },
      { input_tokens: 120, cache_read_tokens: 30, cache_write_tokens: 10, output_tokens: 45 },
    ],
    [
      'OpenInference reasoning details stay inside completion',
      { 'llm.token_count.completion': 900, 'llm.token_count.completion_details.reasoning': 600 },
      { output_tokens: 900, reasoning_output_tokens: 600 },
    ],
    [
      'cache larger than the total (inconsistent sender) clamps at zero',
      { 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.cache_read.input_tokens': 50 },
      { input_tokens: 0, cache_read_tokens: 50 },
    ],
    [
      'string counts (int64 in JSON) and bad counts',
      { 'gen_ai.usage.input_tokens': '42', 'gen_ai.usage.output_tokens': -1 },
      { input_tokens: 42 },
    ],
  ])('%s', (_name, attributes, expected) => {
    expect(tokensOf(attributes)).toEqual(expected);
  });
});

describe('stopReasonOf', () => {
  it.each<[OtlpAttributes[string] | undefined, string | undefined]>([
    [['stop'], 'stop'],
    [['length', 'stop'], 'length'],
    [['stop', 'content_filter'], 'refusal'],
    [['refusal'], 'refusal'],
    ['end_turn', 'end_turn'],
    [[], undefined],
    [undefined, undefined],
  ])('%j → %p', (value, expected) => {
    expect(stopReasonOf(value)).toBe(expected);
  });
});

describe('errorTypeOf: error.type / exception.type of GenAI, OpenInference and SDK spans', () => {
  it.each<[string, string | undefined, string]>([
    ['llm_call', 'RateLimitError', 'rate_limited'],
    ['llm_call', 'rate_limit_error', 'rate_limited'],
    ['llm_call', '429', 'rate_limited'],
    ['llm_call', 'GatewayTimeoutError', 'timeout'],
    ['llm_call', 'timeout_error', 'timeout'],
    ['llm_call', 'APIConnectionTimeoutError', 'timeout'],
    ['llm_call', 'DeadlineExceeded', 'timeout'],
    ['llm_call', '504', 'timeout'],
    ['llm_call', '408', 'timeout'],
    ['llm_call', 'BadRequestError', 'invalid_input'],
    ['llm_call', 'invalid_request_error', 'invalid_input'],
    ['llm_call', 'UnprocessableEntityError', 'invalid_input'],
    ['llm_call', '400', 'invalid_input'],
    ['llm_call', 'InternalServerError', 'other'],
    ['llm_call', 'overloaded_error', 'other'],
    ['llm_call', undefined, 'other'],
    ['tool_call', 'Error', 'tool_failure'],
    ['tool_call', 'TimeoutError', 'timeout'],
  ])('%s with %p → %s', (operation, type, expected) => {
    expect(errorTypeOf(operation as never, type)).toBe(expected);
  });
});

describe('mapOtlpSpan', () => {
  it.each<[string, Partial<OtlpSpanView>, object]>([
    [
      'chat span: model (response wins), tokens, finish reason',
      {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'claude-x',
          'gen_ai.response.model': 'claude-x-2025',
          'gen_ai.usage.input_tokens': 1200,
          'gen_ai.usage.output_tokens': 300,
          'gen_ai.response.finish_reasons': ['end_turn'],
          'gen_ai.input.messages': '[{"role":"user","content":"secret"}]',
          'gen_ai.system': 'anthropic',
        },
      },
      {
        operation: 'llm_call',
        status: 'OK',
        attributes: {
          model: 'claude-x-2025',
          input_tokens: 1200,
          output_tokens: 300,
          stop_reason: 'end_turn',
          'gen_ai.system': 'anthropic',
        },
      },
    ],
    [
      'OpenInference Anthropic LLM span: response model, tokens, llm.finish_reason, no content',
      {
        attributes: {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'claude-haiku-4-5-20251001',
          'llm.request.model_name': 'claude-haiku-4-5',
          'llm.response.model_name': 'claude-haiku-4-5-20251001',
          'llm.provider': 'anthropic',
          'llm.system': 'anthropic',
          'llm.invocation_parameters': '{"model":"claude-haiku-4-5","max_tokens":256}',
          'input.value': '{"messages":[{"role":"user","content":"secret"}]}',
          'input.mime_type': 'application/json',
          'output.value': '{"content":[{"type":"text","text":"secret"}]}',
          'output.mime_type': 'application/json',
          'llm.input_messages.0.message.content': 'secret',
          'llm.output_messages.0.message.contents.0.message_content.text': 'secret',
          'llm.tools.0.tool.json_schema': '{"name":"get_weather"}',
          'llm.finish_reason': 'tool_use',
          'llm.token_count.prompt': 160,
          'llm.token_count.prompt_details.cache_read': 30,
          'llm.token_count.prompt_details.cache_write': 10,
          'llm.token_count.completion': 45,
          'llm.token_count.total': 205,
        },
      },
      {
        operation: 'llm_call',
        status: 'OK',
        attributes: {
          model: 'claude-haiku-4-5-20251001',
          input_tokens: 120,
          cache_read_tokens: 30,
          cache_write_tokens: 10,
          output_tokens: 45,
          stop_reason: 'tool_use',
          'llm.provider': 'anthropic',
          'llm.system': 'anthropic',
        },
      },
    ],
    [
      'OpenInference LLM span that failed: requested model, exception class → error type',
      {
        statusCode: 2,
        statusMessage: '429 {"type":"error","error":{"type":"rate_limit_error"}}',
        events: [
          {
            name: 'exception',
            timeMs: T0 + 5,
            attributes: { 'exception.type': 'RateLimitError', 'exception.message': '429 …' },
          },
        ],
        attributes: {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'claude-haiku-4-5',
          'llm.request.model_name': 'claude-haiku-4-5',
        },
      },
      {
        operation: 'llm_call',
        status: 'ERROR',
        error_type: 'rate_limited',
        error_message: '429 {"type":"error","error":{"type":"rate_limit_error"}}',
        attributes: { model: 'claude-haiku-4-5' },
      },
    ],
    [
      'OpenInference refusal (llm.finish_reason) keeps status OK, stop_reason refusal',
      { attributes: { 'openinference.span.kind': 'LLM', 'llm.finish_reason': 'refusal' } },
      { operation: 'llm_call', status: 'OK', attributes: { stop_reason: 'refusal' } },
    ],
    [
      "the Anthropic SDK's own chat span: cache_write, anthropic.message.stop_reason, error.type",
      {
        statusCode: 2,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-haiku-4-5',
          'http.response.status_code': 504,
          'error.type': 'timeout_error',
        },
      },
      {
        operation: 'llm_call',
        status: 'ERROR',
        error_type: 'timeout',
        error_message: 'timeout_error',
        attributes: { model: 'claude-haiku-4-5', 'http.response.status_code': 504 },
      },
    ],
    [
      "the Anthropic SDK's own chat span, answered",
      {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'claude-haiku-4-5',
          'gen_ai.response.model': 'claude-haiku-4-5-20251001',
          'gen_ai.usage.input_tokens': 160,
          'gen_ai.usage.cache_read.input_tokens': 30,
          'gen_ai.usage.cache_write.input_tokens': 10,
          'gen_ai.usage.output_tokens': 45,
          'anthropic.message.stop_reason': 'end_turn',
        },
      },
      {
        operation: 'llm_call',
        attributes: {
          model: 'claude-haiku-4-5-20251001',
          input_tokens: 120,
          cache_read_tokens: 30,
          cache_write_tokens: 10,
          output_tokens: 45,
          stop_reason: 'end_turn',
        },
      },
    ],
    [
      'refusal keeps status OK (the sessionizer counts it from stop_reason)',
      {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.response.finish_reasons': ['content_filter'],
        },
      },
      { operation: 'llm_call', status: 'OK', attributes: { stop_reason: 'refusal' } },
    ],
    [
      'tool span: name, arguments truncated to 500 and flagged, result length',
      {
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'web_search',
          'gen_ai.tool.call.arguments': 'a'.repeat(700),
          'gen_ai.tool.call.result': 'r'.repeat(42),
        },
      },
      {
        operation: 'tool_call',
        attributes: {
          tool_name: 'web_search',
          tool_input: 'a'.repeat(500),
          tool_input_truncated: true,
          tool_output_length: 42,
        },
      },
    ],
    [
      'OpenInference TOOL span: tool.name, input.value as arguments',
      {
        attributes: {
          'openinference.span.kind': 'TOOL',
          'tool.name': 'calc',
          'input.value': '{"x":1}',
          'output.value': '2',
        },
      },
      {
        operation: 'tool_call',
        attributes: { tool_name: 'calc', tool_input: '{"x":1}', tool_output_length: 1 },
      },
    ],
    [
      'failed tool: status ERROR with message → tool_failure',
      {
        statusCode: 2,
        statusMessage: 'HTTP 500 from search API',
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' },
      },
      {
        status: 'ERROR',
        error_type: 'tool_failure',
        error_message: 'HTTP 500 from search API',
      },
    ],
    [
      'exception event with status unset → ERROR, message from the exception',
      {
        events: [
          {
            name: 'exception',
            timeMs: T0 + 5,
            attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'took too long' },
          },
        ],
        attributes: { 'gen_ai.operation.name': 'chat' },
      },
      {
        status: 'ERROR',
        error_type: 'timeout',
        error_message: 'took too long',
        events: [
          {
            name: 'exception',
            timestamp: T0 + 5,
            attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'took too long' },
          },
        ],
      },
    ],
    [
      'exception event on a span explicitly OK stays OK',
      {
        statusCode: 1,
        events: [{ name: 'exception', timeMs: T0, attributes: {} }],
      },
      { status: 'OK' },
    ],
    [
      'error.type 429 → rate_limited',
      { statusCode: 2, attributes: { 'gen_ai.operation.name': 'chat', 'error.type': '429' } },
      { status: 'ERROR', error_type: 'rate_limited', error_message: '429' },
    ],
    [
      'root span: parent null',
      { parentSpanId: '', attributes: { 'gen_ai.operation.name': 'invoke_agent' } },
      { parent_span_id: null, operation: 'agent_step' },
    ],
  ])('%s', (_name, over, expected) => {
    const span = mapOtlpSpan(view(over));
    expect(span).toMatchObject(expected);
    expect(SpanSchema.safeParse(span).success).toBe(true);
  });

  it('never copies message content and bounds free attributes to the contract', () => {
    const attributes: OtlpAttributes = {
      'gen_ai.output.messages': 'x',
      'llm.input_messages.0.message.content': 'x',
      'input.value': 'x',
      'bad key with spaces': 'x',
      long: 'y'.repeat(5000),
      list: ['a', 'b'],
    };
    for (let i = 0; i < 100; i += 1) attributes[`custom.k${i}`] = i;
    const span = mapOtlpSpan(view({ attributes }));
    expect(Object.keys(span.attributes).length).toBeLessThanOrEqual(64);
    expect(span.attributes).not.toHaveProperty('gen_ai.output.messages');
    expect(span.attributes).not.toHaveProperty('input.value');
    expect(span.attributes.long).toHaveLength(1024);
    expect(span.attributes.list).toBe('a,b');
    expect(SpanSchema.safeParse(span).success).toBe(true);
  });
});

describe('content attributes of OpenInference and SDK spans are never kept', () => {
  it.each([
    'llm.prompts.0.prompt.text',
    'llm.function_call',
    'llm.invocation_parameters',
    'llm.prompt_template.variables',
    'llm.tools.0.tool.json_schema',
    'input.value',
    'output.value',
    'input.mime_type',
    'retrieval.documents.0.document.content',
    'reranker.query',
    'reranker.input_documents.0.document.content',
    'reranker.output_documents.0.document.content',
    'embedding.embeddings.0.embedding.text',
    'message.content',
    'tool.parameters',
    'anthropic.tool_result.content',
    'gen_ai.system_instructions',
  ])('%s', (key) => {
    const span = mapOtlpSpan(view({ attributes: { [key]: 'private words' } }));
    expect(span.attributes).toEqual({});
  });
});

describe('rootSpanEvents', () => {
  const root = (attributes: OtlpAttributes, resource: OtlpAttributes = {}) =>
    view({ parentSpanId: '', attributes, resource });

  it.each<[string, OtlpAttributes, OtlpAttributes, object[]]>([
    ['nothing stated → no events (closes on the root span alone)', {}, {}, []],
    [
      'context from agentmon.*, GenAI and OpenInference keys',
      {
        'gen_ai.conversation.id': 'conv-1',
        'user.id': 'u-9',
        'agentmon.task_type': 'coding',
        'agentmon.user_segment': 'pro',
        'agentmon.query_length': 120,
        'agentmon.session_number': 1,
      },
      { 'service.version': '2.3.0' },
      [
        {
          type: 'trace_start',
          event_id: 'b7ad6b7169203331.start',
          timestamp: T0,
          context: {
            session_id: 'conv-1',
            user_id: 'u-9',
            task_type: 'coding',
            user_segment: 'pro',
            agent_version: '2.3.0',
            query_length: 120,
            session_number: 1,
          },
        },
      ],
    ],
    [
      'OpenInference session.id; agentmon.* on the resource',
      { 'session.id': 's-1' },
      { 'agentmon.platform': 'ios' },
      [{ type: 'trace_start', context: { session_id: 's-1', platform: 'ios' } }],
    ],
    [
      'agentmon.completed → trace_end at the root end, with output and timeout',
      { 'agentmon.completed': false, 'agentmon.final_output': 'done', 'agentmon.timed_out': true },
      {},
      [
        {
          type: 'trace_end',
          event_id: 'b7ad6b7169203331.end',
          completed: false,
          ended_at: T0 + 1200,
          final_output: 'done',
          timed_out: true,
        },
      ],
    ],
    [
      'outcome keys → feedback events',
      {
        'agentmon.rating': 'negative',
        'agentmon.escalated': true,
        'agentmon.user_corrected': 'true',
        'agentmon.abandoned': true,
        'agentmon.safety_flagged': true,
        'agentmon.safety_category': 'jailbreak',
      },
      {},
      [
        { type: 'rating', rating: 'negative' },
        { type: 'escalation' },
        { type: 'user_correction' },
        { type: 'abandonment' },
        { type: 'safety_flag', category: 'jailbreak' },
      ],
    ],
    [
      'a session id that is not a valid id is left out rather than failing the event',
      { 'gen_ai.conversation.id': 'has spaces', 'agentmon.task_type': 'qa' },
      {},
      [{ type: 'trace_start', context: { task_type: 'qa' } }],
    ],
  ])('%s', (_name, attributes, resource, expected) => {
    const events = rootSpanEvents(root(attributes, resource));
    expect(events).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(events[i]).toMatchObject(e));
  });

  it('takes the conversation id seen on another span of the trace', () => {
    expect(rootSpanEvents(root({}), 'conv-7')).toEqual([
      expect.objectContaining({ type: 'trace_start', context: { session_id: 'conv-7' } }),
    ]);
  });
});
