import { makeAlert } from '@agentmon/testing';
import { findSilence } from './silences';
import {
  buildSilence,
  expireSilence,
  parseDurationMs,
  parseSliceLabel,
  silenceRow,
  silenceStatus,
  sortSilences,
} from './silence-admin';

const NOW = Date.parse('2025-03-01T10:00:00Z');

describe('parseDurationMs', () => {
  it.each([
    ['30s', 30_000],
    ['90m', 5_400_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
  ])('%s → %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', '2', 'h', '2 hours', '-1h', '0m', '1.5h'])('refuses %j', (text) =>
    expect(() => parseDurationMs(text)).toThrow(/duration/),
  );
});

describe('parseSliceLabel', () => {
  it.each([
    ['platform=mobile', { dimension: 'platform', value: 'mobile' }],
    ['task_type=code=debug', { dimension: 'task_type', value: 'code=debug' }],
    ['all', { dimension: 'all', value: '*' }],
  ])('%s', (label, slice) => expect(parseSliceLabel(label)).toEqual(slice));

  it.each([
    ['mobile', /dimension=value/],
    ['colour=red', /dimension/],
    ['platform=', /value/],
  ])('refuses %s', (label, message) => expect(() => parseSliceLabel(label)).toThrow(message));
});

describe('buildSilence', () => {
  const base = {
    id: 'sil-1',
    metric: 'completion_rate',
    duration_ms: 7_200_000,
    reason: 'known incident INC-42',
  };

  it('matches only what it names, for the given time', () => {
    const silence = buildSilence(
      { ...base, slice: 'task_type=code_review', project_id: 'p1' },
      NOW,
    );
    expect(silence).toMatchObject({
      starts_at: '2025-03-01T10:00:00.000Z',
      ends_at: '2025-03-01T12:00:00.000Z',
      matchers: {
        metric: 'completion_rate',
        slice: { dimension: 'task_type', value: 'code_review' },
        project_id: 'p1',
      },
    });
    const hit = makeAlert({ project_id: 'p1' });
    expect(findSilence(hit, [silence], NOW + 1000)?.id).toBe('sil-1');
    expect(findSilence(makeAlert({ project_id: 'p2' }), [silence], NOW + 1000)).toBeNull();
    expect(findSilence(hit, [silence], NOW + 7_200_000)).toBeNull();
  });

  it('refuses an unknown metric, naming the field', () => {
    expect(() => buildSilence({ ...base, metric: 'nope' }, NOW)).toThrow(/metric/);
  });

  it('refuses an empty reason', () => {
    expect(() => buildSilence({ ...base, reason: '' }, NOW)).toThrow();
  });
});

describe('expire, status and listing', () => {
  const silence = buildSilence(
    { id: 'sil-1', metric: 'error_rate', duration_ms: 3_600_000, reason: 'deploy' },
    NOW,
  );

  it('expire ends it now and is idempotent', () => {
    const expired = expireSilence(silence, NOW + 60_000);
    expect(expired.ends_at).toBe('2025-03-01T10:01:00.000Z');
    expect(silenceStatus(expired, NOW + 60_000)).toBe('expired');
    expect(expireSilence(expired, NOW + 120_000)).toBe(expired);
  });

  it('statuses and rows', () => {
    expect(silenceStatus(silence, NOW - 1)).toBe('pending');
    expect(silenceStatus(silence, NOW)).toBe('active');
    expect(silenceRow(silence, NOW + 600_000)).toMatchObject({
      status: 'active',
      slice: '*',
      project: '*',
      remaining: '50m',
    });
  });

  it('sorts active before expired', () => {
    const other = expireSilence({ ...silence, id: 'sil-0' }, NOW + 1);
    expect(sortSilences([other, silence], NOW + 10).map((s) => s.id)).toEqual(['sil-1', 'sil-0']);
  });
});
