import { DEFAULT_INHIBIT_RULES, type InhibitRule, type Silence } from '@agentmon/contracts';
import { makeAlert } from '@agentmon/testing';
import { findInhibition } from './inhibition';
import { findSilence } from './silences';

const T = Date.UTC(2025, 0, 1, 10);
const iso = (ms: number) => new Date(ms).toISOString();
const silence = (partial: Partial<Silence> = {}): Silence => ({
  id: 'sil-1',
  matchers: { metric: 'completion_rate' },
  starts_at: iso(T - 60_000),
  ends_at: iso(T + 60_000),
  reason: 'known',
  ...partial,
});

describe('findSilence', () => {
  const alert = makeAlert({ slice: { dimension: 'task_type', value: 'code_debugging' } });
  it.each<[string, Silence, number, boolean]>([
    ['metric only', silence(), T, true],
    ['other metric', silence({ matchers: { metric: 'error_rate' } }), T, false],
    [
      'same slice',
      silence({
        matchers: {
          metric: 'completion_rate',
          slice: { dimension: 'task_type', value: 'code_debugging' },
        },
      }),
      T,
      true,
    ],
    [
      'other slice value',
      silence({
        matchers: { metric: 'completion_rate', slice: { dimension: 'task_type', value: 'faq' } },
      }),
      T,
      false,
    ],
    [
      'overall only',
      silence({ matchers: { metric: 'completion_rate', slice: { dimension: 'all', value: '*' } } }),
      T,
      false,
    ],
    [
      'same project',
      silence({ matchers: { metric: 'completion_rate', project_id: 'project-1' } }),
      T,
      true,
    ],
    [
      'other project',
      silence({ matchers: { metric: 'completion_rate', project_id: 'project-2' } }),
      T,
      false,
    ],
    ['at start (inclusive)', silence(), T - 60_000, true],
    ['before start', silence(), T - 60_001, false],
    ['at end (exclusive, expired)', silence(), T + 60_000, false],
  ])('%s', (_name, s, now, silenced) => {
    expect(findSilence(alert, [s], now)?.id ?? null).toBe(silenced ? 'sil-1' : null);
  });
});

describe('findInhibition', () => {
  const critical = makeAlert({ alert_id: 'crit', fingerprint: 'fp-crit', severity: 'critical' });
  const warning = makeAlert({ alert_id: 'warn', fingerprint: 'fp-warn', severity: 'warning' });
  const rules = DEFAULT_INHIBIT_RULES;

  it.each<[string, Parameters<typeof makeAlert>[0], readonly InhibitRule[], boolean]>([
    ['critical inhibits the warning of the same series', {}, rules, true],
    ['not another slice', { slice: { dimension: 'platform', value: 'mobile' } }, rules, false],
    ['not another metric', { metric: 'error_rate' }, rules, false],
    ['not another project', { project_id: 'project-2' }, rules, false],
    ['not when the critical resolved', { state: 'resolved' }, rules, false],
    ['no rules, no inhibition', {}, [], false],
    [
      'configured rule: overall critical inhibits slice warnings',
      { slice: { dimension: 'all', value: '*' } },
      [
        {
          id: 'overall',
          source: { severity: 'critical' },
          target: { severity: 'warning' },
          equal: ['project_id', 'metric'],
        },
      ],
      true,
    ],
    [
      'configured rule limited to another metric',
      {},
      [
        {
          id: 'lat',
          source: { severity: 'critical', metric: 'latency_p99_ms' },
          target: { severity: 'warning' },
          equal: ['project_id'],
        },
      ],
      false,
    ],
  ])('%s', (_name, sourceChange, ruleSet, inhibited) => {
    const source = { ...critical, ...sourceChange };
    const hit = findInhibition(warning, [source], ruleSet);
    expect(hit?.source.alert_id ?? null).toBe(inhibited ? 'crit' : null);
  });

  it('a warning never inhibits a critical, and resolves are never inhibited', () => {
    expect(findInhibition(critical, [warning], rules)).toBeNull();
    expect(findInhibition({ ...warning, state: 'resolved' }, [critical], rules)).toBeNull();
  });
});
