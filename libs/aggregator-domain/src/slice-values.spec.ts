import { makeTraceSummary } from '@agentmon/testing';
import { hourOfDay, queryLengthBucket, sliceValue, userType } from './slice-values';

describe('queryLengthBucket', () => {
  it.each<[number | null, string]>([
    [null, 'unknown'],
    [0, '0-49'],
    [49, '0-49'],
    [50, '50-199'],
    [199, '50-199'],
    [200, '200-999'],
    [999, '200-999'],
    [1000, '1000+'],
    [1_000_000, '1000+'],
  ])('%p chars → %s', (length, bucket) => expect(queryLengthBucket(length)).toBe(bucket));
});

describe('userType', () => {
  it.each<[number | null, string]>([
    [null, 'unknown'],
    [1, 'first_session'],
    [2, 'sessions_2_5'],
    [5, 'sessions_2_5'],
    [6, 'returning'],
    [400, 'returning'],
  ])('session %p → %s', (n, type) => expect(userType(n)).toBe(type));
});

describe('hourOfDay', () => {
  it.each<[string, string]>([
    ['2025-01-06T00:00:00.000Z', '00'],
    ['2025-01-06T09:59:59.999Z', '09'],
    ['2025-01-06T10:00:00.000Z', '10'],
    ['2025-07-31T23:30:00.000Z', '23'],
  ])('%s → %s (UTC)', (iso, hour) => expect(hourOfDay(Date.parse(iso))).toBe(hour));
});

describe('sliceValue', () => {
  const summary = makeTraceSummary({
    task_type: null,
    user_segment: 'pro',
    platform: null,
    model_version: 'm-2',
    agent_version: null,
    session_number: 1,
    query_length: 75,
    ended_at: Date.parse('2025-01-06T14:05:00Z'),
    started_at: Date.parse('2025-01-06T14:04:00Z'),
  });
  it.each<[Parameters<typeof sliceValue>[0], string]>([
    ['task_type', 'unknown'],
    ['user_segment', 'pro'],
    ['platform', 'unknown'],
    ['model_version', 'm-2'],
    ['agent_version', 'unknown'],
    ['hour_of_day', '14'],
    ['user_type', 'first_session'],
    ['query_length_bucket', '50-199'],
  ])('%s → %s', (dimension, value) => expect(sliceValue(dimension, summary)).toBe(value));
});
