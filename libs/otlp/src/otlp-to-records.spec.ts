import type { TraceEvent } from '@agentmon/contracts';
import { otlpToRecords } from './otlp-to-records';

const T0 = Date.UTC(2025, 0, 1);
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const ROOT = 'b7ad6b7169203331';
const ns = (ms: number) => (BigInt(T0 + ms) * 1_000_000n).toString();
const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** One export: the agent's root span and a model call under it. */
function request(root: object[], call: object[]) {
  const span = (spanId: string, parentSpanId: string, attributes: object[]) => ({
    traceId: TRACE,
    spanId,
    parentSpanId,
    name: spanId,
    startTimeUnixNano: ns(0),
    endTimeUnixNano: ns(100),
    attributes,
  });
  return {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              span('00f067aa0ba902b7', ROOT, [attr('openinference.span.kind', 'LLM'), ...call]),
              span(ROOT, '', root),
            ],
          },
        ],
      },
    ],
  };
}

describe('otlpToRecords: the root context takes a session stated on another span', () => {
  it.each<[string, object[], object[], string | undefined]>([
    ['OpenInference session.id on the model call', [], [attr('session.id', 's-1')], 's-1'],
    ['GenAI conversation id on the model call', [], [attr('gen_ai.conversation.id', 'c-1')], 'c-1'],
    [
      "the root's own session wins",
      [attr('session.id', 'root-s')],
      [attr('session.id', 'call-s')],
      'root-s',
    ],
    ['nobody states one', [], [], undefined],
  ])('%s', (_name, root, call, session) => {
    const { records, rejectedSpans } = otlpToRecords(request(root, call), 'project-1', T0);
    expect(rejectedSpans).toBe(0);
    const events = records.flatMap((r) => (r.kind === 'event' ? [r.event] : [])) as TraceEvent[];
    if (session === undefined) {
      expect(events).toEqual([]);
    } else {
      expect(events).toEqual([
        expect.objectContaining({
          type: 'trace_start',
          event_id: `${ROOT}.start`,
          context: { session_id: session },
        }),
      ]);
    }
  });
});
