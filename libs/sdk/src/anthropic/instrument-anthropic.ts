import type Anthropic from '@anthropic-ai/sdk';
import type { Span } from '../span';
import type { Trace } from '../trace';
import { llmErrorType } from './llm-error-type';

/** A trace, or a function returning the current one (e.g. from AsyncLocalStorage); undefined skips recording. */
export type TraceSource = Trace | (() => Trace | undefined);

export interface InstrumentAnthropicOptions {
  /** Parent of the llm_call and tool_call spans, e.g. the current agent_step span. */
  parent?: Span | (() => Span | null | undefined);
}

interface MessagesLike {
  create(...args: unknown[]): unknown;
}

/** The part of the Anthropic client this wrapper touches; the real client type is preserved. */
export interface AnthropicLike {
  messages: MessagesLike;
}

type MessageResult = Partial<Anthropic.Messages.Message>;

function resolve<T>(source: T | (() => T) | undefined): T | undefined {
  try {
    return typeof source === 'function' ? (source as () => T)() : source;
  } catch {
    return undefined;
  }
}

function recordResponse(
  trace: Trace,
  span: Span,
  parent: Span | null,
  message: MessageResult,
): void {
  const usage = message.usage;
  span.setAttributes({
    model: message.model,
    input_tokens: usage?.input_tokens,
    output_tokens: usage?.output_tokens,
    cache_read_tokens: usage?.cache_read_input_tokens,
    cache_write_tokens: usage?.cache_creation_input_tokens,
    stop_reason: message.stop_reason,
  });
  if (message.stop_reason === 'refusal') span.setError('model refused the request', 'llm_refusal');
  span.end();
  for (const block of message.content ?? []) {
    if (block.type !== 'tool_use') continue;
    trace.startToolCall({ toolUseId: block.id, name: block.name, input: block.input, parent });
  }
}

function recordError(span: Span, error: unknown): void {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number') span.setAttribute('http.status_code', status);
  span.setError(error instanceof Error ? error.message : String(error), llmErrorType(error));
  span.end();
}

function instrumentCreate(
  messages: MessagesLike,
  traceSource: TraceSource,
  options: InstrumentAnthropicOptions,
): MessagesLike['create'] {
  const original = messages.create;
  return function create(...args: unknown[]): unknown {
    const trace = resolve(traceSource);
    if (!trace) return original.apply(messages, args);
    let span: Span | undefined;
    let parent: Span | null = null;
    try {
      parent = resolve(options.parent) ?? null;
      const params = (args[0] ?? {}) as { model?: string; stream?: boolean };
      span = trace.startSpan({
        operation: 'llm_call',
        name: 'anthropic.messages.create',
        parent,
        attributes: { model: params.model, 'llm.streaming': params.stream === true },
      });
    } catch {
      span = undefined;
    }
    let result: unknown;
    try {
      result = original.apply(messages, args);
    } catch (error) {
      if (span) recordError(span, error);
      throw error;
    }
    if (span && result && typeof (result as PromiseLike<unknown>).then === 'function') {
      const llmSpan = span;
      // A side branch: the caller gets the SDK's own APIPromise back untouched (withResponse()
      // etc. still work), and this branch handles its own rejection so none goes unhandled.
      (result as PromiseLike<unknown>).then(
        (value) => {
          try {
            const message = value as MessageResult;
            if (message && message.type === 'message')
              recordResponse(trace, llmSpan, parent, message);
            // Streams are not consumed here (that would steal them from the caller): only the
            // time to the response headers is recorded.
            else llmSpan.end();
          } catch {
            llmSpan.end();
          }
        },
        (error: unknown) => {
          try {
            recordError(llmSpan, error);
          } catch {
            // Nothing to add: the caller sees the error itself.
          }
        },
      );
    }
    return result;
  };
}

function bindToTarget(target: object, value: unknown): unknown {
  return typeof value === 'function' ? value.bind(target) : value;
}

/**
 * Returns a client that behaves like `client` but records each `messages.create` as an llm_call
 * span (model, tokens, stop reason; ERROR with the message on an API error, which is rethrown)
 * and each `tool_use` block of the reply as an open tool_call span, closed by
 * `trace.recordToolResult(block.id, { output, isError })` once the agent has run the tool.
 */
export function instrumentAnthropic<C extends AnthropicLike>(
  client: C,
  trace: TraceSource,
  options: InstrumentAnthropicOptions = {},
): C {
  let wrappedMessages: MessagesLike | undefined;
  let wrappedFor: MessagesLike | undefined;
  return new Proxy(client, {
    get(target, property) {
      // Read from the target, not the proxy: the SDK's classes use private fields.
      const value = Reflect.get(target, property, target);
      if (property !== 'messages' || !value || typeof value !== 'object') {
        return bindToTarget(target, value);
      }
      const messages = value as unknown as MessagesLike;
      if (wrappedFor !== messages) {
        const create = instrumentCreate(messages, trace, options);
        wrappedMessages = new Proxy(messages, {
          get(messagesTarget, key) {
            if (key === 'create') return create;
            return bindToTarget(messagesTarget, Reflect.get(messagesTarget, key, messagesTarget));
          },
        });
        wrappedFor = messages;
      }
      return wrappedMessages;
    },
  });
}
