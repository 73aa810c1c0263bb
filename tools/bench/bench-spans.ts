import type { SpansTopicRecord } from '@agentmon/contracts';
import { makeTrace } from '@agentmon/testing';

/** Realistic traffic for benches: traces of `spansPerTrace` spans with model/tool attributes, plus their events. */
export function benchTraces(
  traceCount: number,
  spansPerTrace: number,
  projectId = 'bench',
): SpansTopicRecord[] {
  const records: SpansTopicRecord[] = [];
  const start = Date.now() - 60_000;
  for (let i = 0; i < traceCount; i += 1) {
    const trace = makeTrace({
      spans: spansPerTrace,
      project_id: projectId,
      start_time: start + i,
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
