import type { Span, TraceSummary } from '@agentmon/contracts';
import type { SessionizerSinks, TraceKey } from '../ports/sessionizer-sinks.port';

/** The sinks port over plain maps, for pipeline specs (same contract as the real adapter). */
export class InMemorySinks implements SessionizerSinks {
  readonly emitted: TraceSummary[] = [];
  readonly spans = new Map<string, Span[]>();
  readonly latest = new Map<string, TraceSummary>();
  private readonly userSessions = new Map<string, string[]>();
  failuresLeft = 0;
  onFailure?: () => void;

  async sessionNumbers(
    traces: readonly (TraceKey & { userId: string | null })[],
  ): Promise<(number | null)[]> {
    return traces.map((trace) => {
      if (trace.userId === null) return null;
      const key = `${trace.projectId}/${trace.userId}`;
      const seen = this.userSessions.get(key) ?? [];
      if (!seen.includes(trace.traceId)) seen.push(trace.traceId);
      this.userSessions.set(key, seen);
      return seen.indexOf(trace.traceId) + 1;
    });
  }

  async previousSummaries(traces: readonly TraceKey[]): Promise<(TraceSummary | null)[]> {
    return traces.map((trace) => this.latest.get(`${trace.projectId}/${trace.traceId}`) ?? null);
  }

  async emit(output: {
    summaries: readonly TraceSummary[];
    sampledSpans: readonly { projectId: string; spans: readonly Span[] }[];
  }): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      this.onFailure?.();
      throw new Error('clickhouse unavailable');
    }
    this.emitted.push(...output.summaries);
    for (const summary of output.summaries)
      this.latest.set(`${summary.project_id}/${summary.trace_id}`, summary);
    for (const { spans } of output.sampledSpans)
      for (const span of spans)
        this.spans.set(span.trace_id, [...(this.spans.get(span.trace_id) ?? []), span]);
  }
}
