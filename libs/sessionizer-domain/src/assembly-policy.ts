/**
 * Bounds and timeouts of trace assembly. Every open-state structure of the assembler is bounded
 * by these numbers (DESIGN: bounded memory everywhere):
 * open traces ≤ maxOpenTraces, spans per trace ≤ maxSpansPerTrace + 1 (the root is always kept),
 * events per trace ≤ maxEventsPerTrace + 2 (the first trace_start and trace_end always get in),
 * remembered closed keys ≤ recentlyClosedCapacity.
 */
export interface AssemblyPolicy {
  /**
   * OpenTelemetry-style traces only (no trace_start, no trace_end, exactly one parentless span,
   * with children, enclosing every span seen): how long after that root arrives stragglers are awaited. A trace
   * that announced itself with trace_start never closes on root grace: SDK agents send many
   * parentless spans and slow tools, and end the trace with trace_end. A trace_start that only
   * states a root span's context (OTLP, id `<root span id>.start`) does not announce.
   */
  rootGraceMs: number;
  /**
   * How long after trace_end arrives stragglers (spans the agent flushed after trace_end) are
   * still assembled into the trace. Defaults to rootGraceMs when not given.
   */
  traceEndGraceMs: number;
  /** A trace with no record for this long is closed (abandoned unless it timed out). */
  inactivityTimeoutMs: number;
  /** At this many open traces the least recently active one is closed as cap_exceeded. */
  maxOpenTraces: number;
  /** Non-root spans past this are counted, not kept; the trace is flagged spans_truncated. */
  maxSpansPerTrace: number;
  /** Events past this are counted, not kept (feedback floods must not grow memory). */
  maxEventsPerTrace: number;
  /** A trace open longer than this (processing time) is closed as max_duration (timed out). */
  maxTraceDurationMs: number;
  /** How many closed trace keys are remembered to report their stragglers as late. */
  recentlyClosedCapacity: number;
}

export const DEFAULT_ASSEMBLY_POLICY: Readonly<AssemblyPolicy> = Object.freeze({
  rootGraceMs: 5_000,
  traceEndGraceMs: 5_000,
  inactivityTimeoutMs: 300_000,
  maxOpenTraces: 100_000,
  maxSpansPerTrace: 2_000,
  maxEventsPerTrace: 256,
  maxTraceDurationMs: 3_600_000,
  recentlyClosedCapacity: 100_000,
});

/**
 * Fills defaults and rejects nonsense early, at startup, rather than as a silent misbehaviour.
 * recentlyClosedCapacity defaults to maxOpenTraces when only the latter is given, and
 * traceEndGraceMs to rootGraceMs (one setting, SESSIONIZER_ROOT_GRACE_MS, covers both).
 */
export function resolveAssemblyPolicy(partial: Partial<AssemblyPolicy> = {}): AssemblyPolicy {
  const policy: AssemblyPolicy = {
    ...DEFAULT_ASSEMBLY_POLICY,
    recentlyClosedCapacity: partial.maxOpenTraces ?? DEFAULT_ASSEMBLY_POLICY.recentlyClosedCapacity,
    traceEndGraceMs: partial.rootGraceMs ?? DEFAULT_ASSEMBLY_POLICY.traceEndGraceMs,
    ...partial,
  };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`AssemblyPolicy.${name} must be a non-negative finite number`);
    }
  }
  if (policy.maxOpenTraces < 1) throw new RangeError('AssemblyPolicy.maxOpenTraces must be >= 1');
  return policy;
}
