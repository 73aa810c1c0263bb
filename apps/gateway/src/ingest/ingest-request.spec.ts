import { makeSpan, makeTraceEndEvent } from '@agentmon/testing';
import { decideIngest } from './ingest-request';

const NOW = 1764000000000;

describe('decideIngest', () => {
  it('stamps every span with the key’s project and the receive time', () => {
    const spans = [makeSpan(), makeSpan()];
    const decision = decideIngest('spans', { spans }, 'proj-a', NOW, 1000);
    expect(decision).toMatchObject({ ok: true, spans: 2, events: 0 });
    if (!decision.ok) throw new Error('expected ok');
    expect(decision.records.map((r) => [r.kind, r.project_id, r.received_at])).toEqual([
      ['span', 'proj-a', NOW],
      ['span', 'proj-a', NOW],
    ]);
  });

  it('accepts events on the events route', () => {
    const decision = decideIngest('events', { events: [makeTraceEndEvent()] }, 'p', NOW, 1000);
    expect(decision).toMatchObject({ ok: true, spans: 0, events: 1 });
  });

  it('lists each bad item by index and field path', () => {
    const good = makeSpan();
    const badTokens = makeSpan({ attributes: { input_tokens: -5 } });
    const badOperation = { ...makeSpan(), operation: 'teleport' };
    const decision = decideIngest(
      'spans',
      { spans: [good, badTokens, badOperation] },
      'p',
      NOW,
      1000,
    );
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.status).toBe(400);
    expect(decision.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, path: 'spans[1].attributes.input_tokens' }),
        expect.objectContaining({ index: 2, path: 'spans[2].operation' }),
      ]),
    );
  });

  it('rejects a client-sent project_id as an unknown field (the tenant comes from the key)', () => {
    const decision = decideIngest(
      'spans',
      { spans: [{ ...makeSpan(), project_id: 'someone-else' }] },
      'p',
      NOW,
      1000,
    );
    expect(decision).toMatchObject({
      ok: false,
      status: 400,
      issues: [{ index: 0, path: 'spans[0].project_id', message: 'unknown field' }],
    });
  });

  it.each([
    [null, ''],
    ['text', ''],
    [{}, ''],
    [{ spans: 'nope' }, 'spans'],
  ])('rejects body %j naming %p', (body, path) => {
    const decision = decideIngest('spans', body, 'p', NOW, 1000);
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.issues[0].path).toBe(path);
  });

  it('answers 413 past the per-request item cap', () => {
    const decision = decideIngest(
      'spans',
      { spans: [makeSpan(), makeSpan(), makeSpan()] },
      'p',
      NOW,
      2,
    );
    expect(decision).toMatchObject({ ok: false, status: 413, issues: [{ path: 'spans' }] });
  });

  it('refuses events sent to the spans route', () => {
    const decision = decideIngest(
      'spans',
      { spans: [makeSpan()], events: [makeTraceEndEvent()] },
      'p',
      NOW,
      1000,
    );
    expect(decision).toMatchObject({ ok: false, status: 400, issues: [{ path: 'events' }] });
  });
});
