import { DEFAULT_INHIBIT_RULES, NotificationPolicySchema } from './notification-policy.schema';

const silence = {
  id: 'sil-1',
  matchers: {
    metric: 'completion_rate',
    slice: { dimension: 'task_type', value: 'code_debugging' },
  },
  starts_at: '2025-01-01T10:00:00Z',
  ends_at: '2025-01-01T12:00:00Z',
  reason: 'known regression, fix rolling out',
};

describe('NotificationPolicySchema', () => {
  it('applies the default inhibition rule when none is given', () => {
    const policy = NotificationPolicySchema.parse({ version: 1 });
    expect(policy.silences).toEqual([]);
    expect(policy.inhibit_rules).toEqual(DEFAULT_INHIBIT_RULES);
  });

  it('keeps an explicit empty rule list (inhibition off)', () => {
    expect(NotificationPolicySchema.parse({ version: 1, inhibit_rules: [] }).inhibit_rules).toEqual(
      [],
    );
  });

  it.each([
    ['unknown version', { version: 2 }, 'version'],
    ['unknown field', { version: 1, extra: true }, ''],
    [
      'ends before start',
      { version: 1, silences: [{ ...silence, ends_at: '2025-01-01T09:00:00Z' }] },
      'silences.0.ends_at',
    ],
    [
      'time without zone',
      { version: 1, silences: [{ ...silence, starts_at: '2025-01-01T10:00:00' }] },
      'silences.0.starts_at',
    ],
    [
      'unknown metric',
      { version: 1, silences: [{ ...silence, matchers: { metric: 'nope' } }] },
      'silences.0.matchers.metric',
    ],
    ['duplicate silence id', { version: 1, silences: [silence, silence] }, 'silences.1.id'],
    [
      'self-inhibiting rule',
      {
        version: 1,
        inhibit_rules: [
          { id: 'r', source: { severity: 'warning' }, target: { severity: 'warning' }, equal: [] },
        ],
      },
      'inhibit_rules.0.target',
    ],
  ])('rejects %s', (_name, input, path) => {
    const result = NotificationPolicySchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('accepts a silence without slice and project', () => {
    const policy = NotificationPolicySchema.parse({
      version: 1,
      silences: [{ ...silence, matchers: { metric: 'latency_p99_ms' } }],
    });
    expect(policy.silences[0].matchers).toEqual({ metric: 'latency_p99_ms' });
  });
});
