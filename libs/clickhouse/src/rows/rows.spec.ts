import { makeSpan, makeTraceSummary } from '@agentmon/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toSpanRow } from './span-row';
import { toTraceSummaryRow } from './trace-summary-row';

/** Column names a migration declares, minus MATERIALIZED ones (which cannot be inserted). */
function insertableColumns(file: string): string[] {
  const sql = readFileSync(join(__dirname, '../../migrations', file), 'utf8');
  const create = sql.slice(sql.indexOf('CREATE TABLE'));
  const body = create.slice(create.indexOf('(') + 1, create.indexOf(') ENGINE'));
  return body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^[a-z_]+ /.test(line) && !line.includes('MATERIALIZED'))
    .map((line) => line.split(' ')[0]);
}

describe('ClickHouse row mappers match their migrations', () => {
  it('maps a trace summary onto every trace_summaries column', () => {
    expect(Object.keys(toTraceSummaryRow(makeTraceSummary())).sort()).toEqual(
      insertableColumns('0001_trace_summaries.sql').sort(),
    );
  });

  it('maps a span onto every spans column', () => {
    expect(Object.keys(toSpanRow('p', makeSpan())).sort()).toEqual(
      insertableColumns('0002_spans.sql').sort(),
    );
  });

  it('keeps the numbers and flags of a summary', () => {
    const summary = makeTraceSummary({ completed: true, input_tokens: 1234 });
    const row = toTraceSummaryRow(summary);
    expect([row.completed, row.input_tokens, row.trace_id]).toEqual([1, 1234, summary.trace_id]);
  });
});
