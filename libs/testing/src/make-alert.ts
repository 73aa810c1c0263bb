import type { Alert, DeadLetter } from '@agentmon/contracts';
import { Topics } from '@agentmon/contracts';
import { createIdGenerator, FIXED_TIME_MS, type FactoryOptions } from './id-generator';

/** A valid critical completion-rate alert; override any field. */
export function makeAlert(partial: Partial<Alert> = {}, options: FactoryOptions = {}): Alert {
  const id = createIdGenerator(options.seed);
  return {
    alert_id: id('alert'),
    fingerprint: 'project-1:completion_rate:task_type=code_review',
    project_id: 'project-1',
    state: 'firing',
    severity: 'critical',
    metric: 'completion_rate',
    slice: { dimension: 'task_type', value: 'code_review' },
    message: 'Completion rate for task_type=code_review dropped from 0.90 to 0.78',
    current_value: 0.78,
    baseline: 0.9,
    threshold: 0.1,
    time: FIXED_TIME_MS + 60_000,
    window_start: FIXED_TIME_MS,
    window_end: FIXED_TIME_MS + 60_000,
    ...partial,
  };
}

/** A valid dead letter for a spans-topic record that failed validation. */
export function makeDeadLetter(partial: Partial<DeadLetter> = {}): DeadLetter {
  const value = '{"kind":"span"}';
  return {
    source_topic: Topics.spans,
    partition: 0,
    offset: '42',
    key: 'trace-1',
    value: { encoding: 'utf8', data: value, truncated: false, size_bytes: value.length },
    reason: 'schema_validation',
    message: 'record does not match the spans topic schema',
    issues: [{ path: 'span', message: 'Invalid input: expected object, received undefined' }],
    failed_at: FIXED_TIME_MS,
    consumer: 'sessionizer',
    attempts: 1,
    ...partial,
  };
}
