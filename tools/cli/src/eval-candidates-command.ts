import type { AnalyticsQueries, TimeRange } from '@agentmon/analytics-queries';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { periodFrom, positiveInt } from './analytics-format';
import { withQueries } from './query-context';

export interface EvalExportOptions {
  project?: string;
  range: TimeRange;
  taskType?: string;
  limit: number;
  successes: number;
  includeExported: boolean;
  out: string;
  pageSize: number;
  /** Called after each page is written (the progress bar). */
  onProgress?: (done: number, total: number) => void;
}

export interface EvalExportResult {
  export_id: string;
  file: string;
  written: number;
  /** Traces a reviewer marked "add to eval set" in the console (written first). */
  reviewed: number;
  failures: number;
  successes: number;
  by_failure_type: Record<string, number>;
}

/**
 * Writes eval-set candidates as JSON lines (`{"kind","failure_type","summary","spans"}`):
 * reviewed traces first, then failures grouped by their first error type, then successes.
 * Pages of `pageSize` traces are read, written and remembered in `eval_exports` in turn, so
 * memory is bounded and an interrupted export leaves a file whose traces are all recorded.
 */
export async function exportEvalCandidates(
  queries: AnalyticsQueries,
  options: EvalExportOptions,
): Promise<EvalExportResult> {
  const query = {
    project: options.project,
    from: options.range.from,
    to: options.range.to,
    taskType: options.taskType,
    limit: options.limit,
    successes: options.successes,
    includeExported: options.includeExported,
  };
  const exportId = randomUUID();
  const file = resolve(options.out);
  const result: EvalExportResult = {
    export_id: exportId,
    file,
    written: 0,
    reviewed: 0,
    failures: 0,
    successes: 0,
    by_failure_type: {},
  };
  const fd = openSync(file, 'w');
  try {
    for await (const page of queries.evalCandidatePages(query, options.pageSize)) {
      if (page.lines.length > 0) writeSync(fd, `${page.lines.join('\n')}\n`);
      const now = Date.now();
      await queries.recordExports(
        page.written.map((ref) => ({
          project_id: ref.project_id,
          trace_id: ref.trace_id,
          export_id: exportId,
          exported_at_ms: now,
          kind: ref.kind,
          failure_type: ref.failure_type,
          file,
        })),
      );
      for (const ref of page.written) {
        result.written += 1;
        if (ref.kind === 'reviewed') result.reviewed += 1;
        else if (ref.kind === 'failure') {
          result.failures += 1;
          result.by_failure_type[ref.failure_type] =
            (result.by_failure_type[ref.failure_type] ?? 0) + 1;
        } else result.successes += 1;
      }
      options.onProgress?.(page.done, page.total);
    }
  } finally {
    closeSync(fd);
  }
  return result;
}

export function createEvalCandidatesCommand(): Command {
  return new Command('eval-candidates')
    .description(
      'export failures (by error type) then a sample of successes, each with its full spans, as JSON lines for an eval set',
    )
    .requiredOption('--out <file>', 'the .jsonl file to write')
    .option('--project <id>', 'only this project (default: every project)')
    .option('--since <when>', 'traces ended since: a duration (7d) or an ISO time', '7d')
    .option('--until <when>', 'traces ended before: a duration back or an ISO time (default: now)')
    .option('--task-type <type>', 'only this task type')
    .option('--limit <n>', 'most traces exported', positiveInt('--limit'), 100)
    .option(
      '--successes <n>',
      'successes exported after the failures (default: a fifth of --limit)',
      positiveInt('--successes'),
    )
    .option('--include-exported', 'export traces exported before too', false)
    .option('--json', 'print the export summary as JSON')
    .action(
      async (options: {
        out: string;
        project?: string;
        since: string;
        until?: string;
        taskType?: string;
        limit: number;
        successes?: number;
        includeExported: boolean;
        json?: boolean;
      }) => {
        await withQueries(async ({ config, queries }) => {
          const range = periodFrom(options, Date.now(), '7d', 1);
          const bar = new SingleBar({
            format: 'exporting [{bar}] {value}/{total} traces',
            stream: process.stderr,
            hideCursor: true,
          });
          let started = false;
          const result = await exportEvalCandidates(queries, {
            project: options.project,
            range,
            taskType: options.taskType,
            limit: options.limit,
            successes: options.successes ?? Math.max(1, Math.round(options.limit / 5)),
            includeExported: options.includeExported,
            out: options.out,
            pageSize: config.ANALYTICS_EXPORT_PAGE_SIZE,
            // A bar only for exports longer than one page (on a terminal; cli-progress skips it otherwise).
            onProgress: (done, total) => {
              if (total <= config.ANALYTICS_EXPORT_PAGE_SIZE) return;
              if (!started) {
                bar.start(total, 0);
                started = true;
              }
              bar.update(done);
            },
          });
          if (started) bar.stop();
          process.stdout.write(
            options.json
              ? `${JSON.stringify(result)}\n`
              : `wrote ${result.written} traces to ${result.file} (${result.reviewed ? `${result.reviewed} reviewed, ` : ''}${result.failures} failures${
                  Object.keys(result.by_failure_type).length
                    ? `: ${Object.entries(result.by_failure_type)
                        .map(([t, n]) => `${t} ${n}`)
                        .join(', ')}`
                    : ''
                }; ${result.successes} successes), export ${result.export_id}\n`,
          );
        });
      },
    );
}
