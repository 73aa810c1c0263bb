import type { SpansTopicRecord } from '@agentmon/contracts';
import { makeTrace } from '@agentmon/testing';

const TASK_TYPES = ['faq', 'code_debugging', 'research'];

/** Realistic traffic for benches: traces of `spansPerTrace` spans with model/tool attributes, plus their events. */
export function benchTraces(
  traceCount: number,
  spansPerTrace: number,
  projectId = 'bench',
): SpansTopicRecord[] {
  const records: SpansTopicRecord[] = [];
  const start = Date.now() - 60_000;
  // About five sessions per user, so per-user state is measured as it grows in production.
  const users = Math.max(1, Math.floor(traceCount / 5));
  for (let i = 0; i < traceCount; i += 1) {
    const trace = makeTrace({
      spans: spansPerTrace,
      project_id: projectId,
      start_time: start + i,
      context: {
        session_id: `session-${i}`,
        user_id: `user-${i % users}`,
        task_type: TASK_TYPES[i % TASK_TYPES.length],
      },
      failing: i % 20 === 0 ? 'tool_failure' : false,
    });
    for (const record of trace.records) {
      if (record.kind === 'span' && record.span.operation === 'llm_call') {
        record.span.attributes = {
          ...record.span.attributes,
          model: 'claude-sonnet-4',
          input_tokens: 1800,
          output_tokens: 350,
          cache_read_tokens: 1200,
          stop_reason: 'tool_use',
        };
      }
      records.push({ ...record, project_id: projectId });
    }
  }
  return records;
}

export function spanRecordsOnly(records: SpansTopicRecord[]): SpansTopicRecord[] {
  return records.filter((record) => record.kind === 'span');
}
