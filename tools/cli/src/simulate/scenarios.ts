// Pure traffic generation for `agentmon simulate` and the `npm start` demo: no I/O, no clock.
// Given the same options (seed, run id, times) it yields the same traces.

export const SCENARIOS = [
  'healthy',
  'completion-regression',
  'latency-spike',
  'cost-spike',
  'tool-failure-burst',
  'task-mix-shift',
  'weekly-decline',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const SCENARIO_DESCRIPTIONS: Record<ScenarioName, string> = {
  healthy: 'steady traffic, 90% completion in every task type',
  'completion-regression': 'from the incident on, completion of one task type drops 0.9 → 0.6',
  'latency-spike': 'from the incident on, every session takes 3× longer',
  'cost-spike': 'from the incident on, a model swap (claude-opus-4) triples tokens per session',
  'tool-failure-burst':
    'for a tenth of the run from the incident on, 30% of tool calls fail and completion drops to 0.7',
  'task-mix-shift': 'from the incident on, the mix drifts toward easy faq tasks',
  'weekly-decline': 'completion declines 2 points per week across the whole run',
};

interface TaskProfile {
  /** Relative share of traffic. */
  weight: number;
  latencyMs: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  queryLength: number;
  tools: string[];
}

/** The simulated agent's task types; `bug_fix` (1/8 of traffic) is the one that regresses. */
export const TASK_TYPES: Record<string, TaskProfile> = {
  code_review: {
    weight: 3,
    latencyMs: 20_000,
    toolCalls: 2,
    inputTokens: 6_000,
    outputTokens: 900,
    queryLength: 400,
    tools: ['read_file', 'search_code'],
  },
  bug_fix: {
    weight: 1,
    latencyMs: 40_000,
    toolCalls: 3,
    inputTokens: 9_000,
    outputTokens: 1_500,
    queryLength: 900,
    tools: ['read_file', 'run_tests', 'edit_file'],
  },
  research: {
    weight: 2,
    latencyMs: 30_000,
    toolCalls: 3,
    inputTokens: 12_000,
    outputTokens: 2_000,
    queryLength: 200,
    tools: ['web_search', 'fetch_page', 'web_search'],
  },
  support: {
    weight: 1,
    latencyMs: 8_000,
    toolCalls: 1,
    inputTokens: 2_500,
    outputTokens: 400,
    queryLength: 120,
    tools: ['lookup_account'],
  },
  faq: {
    weight: 1,
    latencyMs: 3_000,
    toolCalls: 0,
    inputTokens: 1_200,
    outputTokens: 200,
    queryLength: 40,
    tools: [],
  },
};
export const REGRESSED_TASK_TYPE = 'bug_fix';
const PLATFORMS = ['web', 'ide'];
const SEGMENTS = ['free', 'pro'];
const BASE_MODEL = 'claude-sonnet-4';
const SWAPPED_MODEL = 'claude-opus-4';
const AGENT_VERSION = '2.3.0';
const HEALTHY_COMPLETION = 0.9;
const HEALTHY_TOOL_FAILURE = 0.01;
/**
 * Simulated sessions carry no user id but a session number of a returning user: counting real
 * users' sessions would move the first-session/returning mix as a run goes on, which the traffic
 * drift detector would rightly report in every scenario.
 */
const RETURNING_SESSION = 7;
const WEEK_MS = 7 * 24 * 3600 * 1000;

export interface TrafficOptions {
  scenario: ScenarioName;
  /** Event time of the first trace's end window (epoch ms). */
  startMs: number;
  durationMs: number;
  /** Traces per second of event time. */
  rate: number;
  /** Where the incident starts, as a fraction of the run (0..1). */
  incidentAt: number;
  seed: number;
  /** Prefix of every trace id, so runs with the same seed do not collide. */
  runId: string;
}

export interface SimulatedStep {
  operation: 'llm_call' | 'tool_call';
  name: string;
  startMs: number;
  endMs: number;
  inputTokens?: number;
  outputTokens?: number;
  /** Set on a failed tool call. */
  error?: string;
}

export interface SimulatedTrace {
  index: number;
  traceId: string;
  sessionId: string;
  sessionNumber: number;
  taskType: string;
  userSegment: string;
  platform: string;
  modelVersion: string;
  agentVersion: string;
  queryLength: number;
  startMs: number;
  endMs: number;
  steps: SimulatedStep[];
  completed: boolean;
  finalOutput?: string;
  /** What the user did with the answer, after the trace ended (explicit and implicit signals). */
  feedback: SimulatedFeedback[];
}

export type SimulatedFeedback = { atMs: number } & (
  | { type: 'rating'; rating: 'positive' | 'negative' }
  | { type: 'accepted' | 'user_correction' | 'output_copied' | 'follow_up' }
);

/**
 * User signals, the same in every scenario and every task type (so no scenario moves the
 * satisfaction charts unless it means to): ratings from 3 % of users (DESIGN: 1–5 %), 80 %
 * positive; 8 % corrected, 60 % accepted, 30 % copied, 15 % followed up.
 */
const FEEDBACK = {
  rated: 0.03,
  positive: 0.8,
  corrected: 0.08,
  accepted: 0.6 / (1 - 0.08),
  copied: 0.3,
  followUp: 0.15,
};

function feedbackFor(
  outcomes: StratifiedOutcomes,
  stratum: string,
  endMs: number,
): SimulatedFeedback[] {
  const feedback: SimulatedFeedback[] = [];
  const corrected = outcomes.draw(`${stratum}|corrected`, FEEDBACK.corrected);
  if (corrected) feedback.push({ type: 'user_correction', atMs: endMs + 2_000 });
  else if (outcomes.draw(`${stratum}|accepted`, FEEDBACK.accepted))
    feedback.push({ type: 'accepted', atMs: endMs + 2_000 });
  if (outcomes.draw(`${stratum}|copied`, FEEDBACK.copied))
    feedback.push({ type: 'output_copied', atMs: endMs + 1_000 });
  if (outcomes.draw(`${stratum}|follow_up`, FEEDBACK.followUp))
    feedback.push({ type: 'follow_up', atMs: endMs + 3_000 });
  if (outcomes.draw(`${stratum}|rated`, FEEDBACK.rated)) {
    const positive = outcomes.draw(`${stratum}|positive`, FEEDBACK.positive);
    feedback.push({
      type: 'rating',
      rating: positive ? 'positive' : 'negative',
      atMs: endMs + 4_000,
    });
  }
  return feedback;
}

/** What a scenario changes at a point of the run (elapsed fraction `f`, event time `t`). */
interface Effects {
  completion: number;
  latencyFactor: number;
  model: string;
  tokenFactor: number;
  toolFailure: number;
  weights: Record<string, number>;
}

function effectsAt(options: TrafficOptions, f: number, t: number): (taskType: string) => Effects {
  const incident = f >= options.incidentAt;
  const weights = Object.fromEntries(
    Object.entries(TASK_TYPES).map(([name, p]) => [name, p.weight]),
  );
  const base: Effects = {
    completion: HEALTHY_COMPLETION,
    latencyFactor: 1,
    model: BASE_MODEL,
    tokenFactor: 1,
    toolFailure: HEALTHY_TOOL_FAILURE,
    weights,
  };
  return (taskType) => {
    const e = { ...base };
    switch (options.scenario) {
      case 'healthy':
        break;
      case 'completion-regression':
        if (incident && taskType === REGRESSED_TASK_TYPE) e.completion = 0.6;
        break;
      case 'latency-spike':
        if (incident) e.latencyFactor = 3;
        break;
      case 'cost-spike':
        if (incident) {
          e.model = SWAPPED_MODEL;
          e.tokenFactor = 3;
        }
        break;
      case 'tool-failure-burst':
        if (incident && f < options.incidentAt + 0.1) {
          e.toolFailure = 0.3;
          e.completion = 0.7;
        }
        break;
      case 'task-mix-shift':
        if (incident) e.weights = { ...weights, faq: 8, code_review: 1, research: 1 };
        break;
      case 'weekly-decline':
        e.completion = Math.max(0, HEALTHY_COMPLETION - (0.02 * (t - options.startMs)) / WEEK_MS);
        break;
    }
    return e;
  };
}

/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Outcomes drawn per stratum with an error-diffusion accumulator instead of coin flips: in every
 * run of consecutive draws of one key the share of `true` is the probability within one draw.
 * Every slice is a union of strata, so every slice's rate is the scenario's rate in every
 * window — a short demo has no sampling noise to raise false alarms, and the scenario's change is
 * exactly what the detector sees.
 */
export class StratifiedOutcomes {
  private readonly carry = new Map<string, number>();

  /**
   * `initialCarry` staggers the strata: with one fixed start, rare outcomes (1% tool failures)
   * would hit in every stratum in the same window — a burst no real traffic has.
   */
  constructor(private readonly initialCarry: () => number = () => 0.5) {}

  draw(key: string, probability: number): boolean {
    const next = (this.carry.get(key) ?? this.initialCarry()) + probability;
    const hit = next >= 1;
    this.carry.set(key, hit ? next - 1 : next);
    return hit;
  }
}

/**
 * Smooth weighted round robin (nginx's): the picks of any stretch follow the weights within one
 * pick, so the task mix is exact in every window.
 */
export class WeightedRoundRobin {
  private readonly current = new Map<string, number>();

  pick(weights: Record<string, number>): string {
    let total = 0;
    let best: string | undefined;
    for (const [name, weight] of Object.entries(weights)) {
      if (weight <= 0) continue;
      total += weight;
      const value = (this.current.get(name) ?? 0) + weight;
      this.current.set(name, value);
      if (best === undefined || value > (this.current.get(best) ?? 0)) best = name;
    }
    if (best === undefined) throw new Error('scenario weights: every task type has weight 0');
    this.current.set(best, (this.current.get(best) ?? 0) - total);
    return best;
  }
}

export function traceCount(options: Pick<TrafficOptions, 'durationMs' | 'rate'>): number {
  return Math.max(0, Math.floor((options.durationMs / 1000) * options.rate));
}

export function validateTrafficOptions(options: TrafficOptions): void {
  if (!SCENARIOS.includes(options.scenario)) {
    throw new Error(`scenario: unknown "${options.scenario}" (one of ${SCENARIOS.join(', ')})`);
  }
  if (!(options.rate > 0) || !Number.isFinite(options.rate)) {
    throw new Error(`rate: must be a positive number of traces per second, got ${options.rate}`);
  }
  if (!(options.durationMs > 0) || !Number.isFinite(options.durationMs)) {
    throw new Error(`duration: must be positive, got ${options.durationMs} ms`);
  }
  if (!(options.incidentAt >= 0 && options.incidentAt <= 1)) {
    throw new Error(`incident-at: must be a fraction between 0 and 1, got ${options.incidentAt}`);
  }
  if (!Number.isSafeInteger(options.seed)) {
    throw new Error(`seed: must be an integer, got ${options.seed}`);
  }
}

/**
 * The run's traces in order of end time: trace i ends at startMs + (i + 0.5) / rate, so a
 * window of event time holds rate × window traces. Lazy: memory does not grow with the run.
 */
export function* generateTraffic(options: TrafficOptions): Generator<SimulatedTrace> {
  validateTrafficOptions(options);
  const random = seededRandom(options.seed);
  const outcomes = new StratifiedOutcomes(seededRandom(options.seed ^ 0x5eed));
  const mix = new WeightedRoundRobin();
  const perTaskType = new Map<string, number>();
  const total = traceCount(options);
  const spacingMs = 1000 / options.rate;
  for (let index = 0; index < total; index += 1) {
    const endMs = Math.round(options.startMs + (index + 0.5) * spacingMs);
    const f = (endMs - options.startMs) / options.durationMs;
    const effectsFor = effectsAt(options, f, endMs);
    const taskType = mix.pick(effectsFor('').weights);
    const effects = effectsFor(taskType);
    const profile = TASK_TYPES[taskType];
    const nth = perTaskType.get(taskType) ?? 0;
    perTaskType.set(taskType, nth + 1);
    // Platform and segment cycle within the task type, so each slice is a union of strata.
    const platform = PLATFORMS[nth % PLATFORMS.length];
    const userSegment = SEGMENTS[Math.floor(nth / PLATFORMS.length) % SEGMENTS.length];
    const stratum = `${taskType}|${platform}|${userSegment}`;
    const jitter = () => 0.8 + 0.4 * random();
    const latencyMs = Math.max(
      100,
      Math.round(profile.latencyMs * effects.latencyFactor * jitter()),
    );
    const startMs = endMs - latencyMs;
    const llmCalls = profile.toolCalls + 1;
    const slotMs = latencyMs / (llmCalls + profile.toolCalls);
    const steps: SimulatedStep[] = [];
    for (let slot = 0; slot < llmCalls + profile.toolCalls; slot += 1) {
      const stepStart = Math.round(startMs + slot * slotMs);
      const stepEnd = Math.round(startMs + (slot + 1) * slotMs);
      if (slot % 2 === 0) {
        steps.push({
          operation: 'llm_call',
          name: effects.model,
          startMs: stepStart,
          endMs: stepEnd,
          inputTokens: Math.round(
            (profile.inputTokens / llmCalls) * effects.tokenFactor * jitter(),
          ),
          outputTokens: Math.round(
            (profile.outputTokens / llmCalls) * effects.tokenFactor * jitter(),
          ),
        });
      } else {
        const tool = profile.tools[(slot - 1) / 2] ?? 'tool';
        const failed = outcomes.draw(`${stratum}|tool`, effects.toolFailure);
        steps.push({
          operation: 'tool_call',
          name: tool,
          startMs: stepStart,
          endMs: stepEnd,
          ...(failed ? { error: `${tool}: upstream returned 503` } : {}),
        });
      }
    }
    const completed = outcomes.draw(`${stratum}|completion`, effects.completion);
    const id = `${options.runId}${index.toString(36).padStart(7, '0')}`;
    yield {
      index,
      traceId: `t${id}`,
      sessionId: `s${id}`,
      sessionNumber: RETURNING_SESSION,
      taskType,
      userSegment,
      platform,
      modelVersion: effects.model,
      agentVersion: AGENT_VERSION,
      queryLength: profile.queryLength,
      startMs,
      endMs,
      steps,
      completed,
      ...(completed ? { finalOutput: `${taskType} done` } : {}),
      feedback: feedbackFor(outcomes, stratum, endMs),
    };
  }
}
