import { spanTree, type TraceDetail } from '@agentmon/analytics-queries';

export { spanTree, type WaterfallLine } from '@agentmon/analytics-queries';
import type { Span } from '@agentmon/contracts';
import { Command } from 'commander';
import { iso, jsonOption, ms, pct, table, usd } from './analytics-format';
import { withQueries } from './query-context';

/** One bar per span on a shared time axis of `width` characters. */
export function waterfallBar(span: Span, t0: number, total: number, width: number): string {
  const scale = total > 0 ? width / total : 0;
  const offset = Math.min(width - 1, Math.floor((span.start_time - t0) * scale));
  const length = Math.max(
    1,
    Math.min(width - offset, Math.round((span.end_time - span.start_time) * scale)),
  );
  return `${' '.repeat(offset)}${'█'.repeat(length)}${' '.repeat(width - offset - length)}`;
}

export function formatTrace(detail: TraceDetail, width = 40): string {
  const s = detail.summary;
  const errorTypes = Object.entries(s.error_types)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t} ×${n}`);
  const header = table(
    ['field', 'value'],
    [
      ['trace', `${s.trace_id} (project ${s.project_id}, revision ${s.revision})`],
      ['time', `${iso(s.started_at)} → ${iso(s.ended_at)} (${ms(s.duration_ms)})`],
      [
        'task type / segment / platform',
        `${s.task_type ?? 'unknown'} / ${s.user_segment ?? 'unknown'} / ${s.platform ?? 'unknown'}`,
      ],
      [
        'model / agent version',
        `${s.model_version ?? 'unknown'} / ${s.agent_version ?? 'unknown'}`,
      ],
      [
        'outcome',
        [
          s.completed ? 'completed' : 'not completed',
          s.strong_completion ? 'strong completion' : 'not a strong completion',
          s.rating !== 'none' && `rated ${s.rating}`,
          s.corrected && 'corrected',
          s.escalated && 'escalated',
          s.timed_out && 'timed out',
          s.abandoned && 'abandoned',
          s.safety_flagged && 'safety flagged',
        ]
          .filter(Boolean)
          .join(', '),
      ],
      ['errors', errorTypes.length === 0 ? 'none' : errorTypes.join(', ')],
      ['tokens in / out', `${s.input_tokens} / ${s.output_tokens}`],
      [
        'spans / llm calls / tool calls (errors) / steps',
        `${s.span_count} / ${s.llm_call_count} / ${s.tool_call_count} (${s.tool_error_count}) / ${s.step_count}`,
      ],
      ['cost', usd(s.cost_usd)],
      [
        'sampled',
        `${s.sampled ? 'yes' : 'no'} (${s.sampling_rule})${s.flags.length ? `; flags: ${s.flags.join(', ')}` : ''}`,
      ],
      ['final output', (s.final_output ?? '').slice(0, 200) || '-'],
    ],
  );
  if (detail.spans.length === 0) {
    return `${header}\nno spans kept for this trace (only failures and a sample of successes keep theirs)\n`;
  }
  const t0 = Math.min(...detail.spans.map((x) => x.start_time));
  const t1 = Math.max(...detail.spans.map((x) => x.end_time));
  const lines = spanTree(detail.spans).map(({ depth, span }) => {
    const a = span.attributes as Record<string, unknown>;
    const label = `${'  '.repeat(depth)}${span.operation}${span.name ? ` ${span.name}` : a.tool_name ? ` ${String(a.tool_name)}` : ''}`;
    const tokens =
      a.input_tokens !== undefined || a.output_tokens !== undefined
        ? `${Number(a.input_tokens ?? 0)}→${Number(a.output_tokens ?? 0)} tok`
        : '';
    const status =
      span.status === 'ERROR'
        ? `ERROR${span.error_type ? ` ${span.error_type}` : ''}${span.error_message ? `: ${span.error_message.slice(0, 60)}` : ''}`
        : '';
    return [
      label.slice(0, 48).padEnd(48),
      `|${waterfallBar(span, t0, t1 - t0, width)}|`,
      ms(span.end_time - span.start_time).padStart(8),
      tokens.padStart(16),
      status,
    ]
      .join(' ')
      .trimEnd();
  });
  return `${header}\nspans (${detail.spans_source}), ${ms(t1 - t0)} from ${iso(t0)}; errors ${pct(detail.spans.filter((x) => x.status === 'ERROR').length / detail.spans.length)} of spans\n${lines.join('\n')}\n`;
}

export function createTracesCommand(): Command {
  const traces = new Command('traces').description('look at stored traces');
  traces
    .command('show')
    .description("a trace's summary and its span tree as a waterfall (durations, tokens, errors)")
    .argument('<trace-id>', 'the trace id')
    .option('--project <id>', 'the project (needed only when two projects share a trace id)')
    .addOption(jsonOption())
    .action(async (traceId: string, options: { project?: string; json?: boolean }) => {
      await withQueries(async ({ queries }) => {
        const detail = await queries.traceDetail({ project: options.project }, traceId);
        if (detail === null) {
          process.stderr.write(
            `trace ${traceId} not found${options.project ? ` in project ${options.project}` : ''}\n`,
          );
          process.exitCode = 1;
          return;
        }
        process.stdout.write(options.json ? `${JSON.stringify(detail)}\n` : formatTrace(detail));
      });
    });
  return traces;
}
