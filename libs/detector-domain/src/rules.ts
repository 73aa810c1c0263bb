import {
  AdversarialRuleSchema,
  DetectorRulesFileSchema,
  DriftRuleSchema,
  FastPageRuleSchema,
  formatFieldPath,
  type AdversarialRule,
  type ChartMetric,
  type ChartRule,
  type DetectorRuleSet,
  type DetectorRulesFile,
  type DriftRule,
  type FastPageRule,
  type TrendRule,
} from '@agentmon/contracts';
import { parse as parseYaml } from 'yaml';

/** Engine settings; DETECTOR_* environment values in the app, flags in the replay command. */
export interface DetectorSettings {
  /** EWMA smoothing λ (DETECTOR_EWMA_LAMBDA). */
  lambda: number;
  /** Windows with enough traces averaged into the baseline (DETECTOR_WARMUP_WINDOWS). */
  warmupWindows: number;
  /** Windows with fewer traces neither update a chart nor alert (DETECTOR_MIN_SAMPLES). */
  minSamples: number;
  /** Consecutive calmer windows before an alert resolves or de-escalates (DETECTOR_RESOLVE_WINDOWS). */
  resolveWindows: number;
}

export const DEFAULT_SETTINGS: Readonly<DetectorSettings> = Object.freeze({
  lambda: 0.2,
  warmupWindows: 5,
  minSamples: 30,
  resolveWindows: 2,
});

const chart = (
  metric: ChartMetric,
  kind: ChartRule['kind'],
  warning: number,
  critical: number,
  enabled = true,
): ChartRule => ({ metric, kind, warning, critical, enabled });

/**
 * DESIGN's table (on), user satisfaction (on), plus the other window metrics (off until a rules
 * file switches them on).
 */
export const DEFAULT_CHART_RULES: readonly ChartRule[] = Object.freeze([
  chart('completion_rate', 'drop', 0.05, 0.1),
  chart('strong_completion_rate', 'drop', 0.05, 0.1),
  chart('latency_p95_ms', 'ratio', 1.5, 2),
  chart('error_rate', 'level', 0.05, 0.1),
  chart('cost_avg_usd', 'ratio', 1.5, 2),
  chart('latency_p99_ms', 'ratio', 1.5, 2, false),
  chart('cost_per_successful_task_usd', 'ratio', 1.5, 2, false),
  chart('completion_gap', 'rise', 0.05, 0.1, false),
  chart('tool_failure_rate', 'level', 0.05, 0.1, false),
  chart('llm_refusal_rate', 'level', 0.05, 0.1, false),
  chart('timeout_rate', 'level', 0.05, 0.1, false),
  chart('user_abandonment_rate', 'level', 0.05, 0.1, false),
  chart('hallucination_caught_rate', 'level', 0.05, 0.1, false),
  // User satisfaction (issue 15): implicit signals and explicit ratings.
  chart('corrected_rate', 'ratio', 1.5, 2),
  chart('abandoned_rate', 'ratio', 1.5, 2),
  chart('satisfaction_index', 'drop', 0.1, 0.2),
  chart('positive_share', 'interval_drop', 0.05, 0.1),
]);

const trend = (metric: ChartMetric, direction: TrendRule['direction']): TrendRule => ({
  metric,
  direction,
  min_weekly_change: 0.01,
  window_days: 21,
  min_days: 7,
  severity: 'warning',
  enabled: true,
});

export const DEFAULT_TREND_RULES: readonly TrendRule[] = Object.freeze([
  trend('completion_rate', 'down'),
  trend('strong_completion_rate', 'down'),
]);

export const DEFAULT_FAST_PAGE_RULE: FastPageRule = FastPageRuleSchema.parse({});
export const DEFAULT_DRIFT_RULE: DriftRule = DriftRuleSchema.parse({ warning_severity: 'warning' });
export const DEFAULT_ADVERSARIAL_RULE: AdversarialRule = AdversarialRuleSchema.parse({});

/** The rules in force for one project, after merging defaults, global and per-project entries. */
export interface EffectiveRules {
  settings: DetectorSettings;
  /** Enabled chart rules only, in a stable order. */
  charts: ChartRule[];
  fastPage: FastPageRule;
  trends: TrendRule[];
  drift: DriftRule;
  adversarial: AdversarialRule;
}

function mergeByMetric<R extends { metric: string }>(
  base: readonly R[],
  over: readonly R[] | undefined,
): R[] {
  if (!over) return [...base];
  const out = [...base];
  for (const rule of over) {
    const i = out.findIndex((r) => r.metric === rule.metric);
    if (i >= 0) out[i] = rule;
    else out.push(rule);
  }
  return out;
}

function applySet(into: EffectiveRules, set: DetectorRuleSet | undefined): EffectiveRules {
  if (!set) return into;
  const s = set.settings ?? {};
  return {
    settings: {
      lambda: s.ewma_lambda ?? into.settings.lambda,
      warmupWindows: s.warmup_windows ?? into.settings.warmupWindows,
      minSamples: s.min_samples ?? into.settings.minSamples,
      resolveWindows: s.resolve_windows ?? into.settings.resolveWindows,
    },
    charts: mergeByMetric(into.charts, set.charts),
    fastPage: set.fast_page ?? into.fastPage,
    trends: mergeByMetric(into.trends, set.trends),
    drift: set.drift ?? into.drift,
    adversarial: set.adversarial ?? into.adversarial,
  };
}

/**
 * Defaults ← engine settings (environment/flags) ← rules file global entries ← the project's
 * entries. A rule replaces the one for the same metric; `enabled: false` switches it off.
 */
export function resolveRules(
  settings: Partial<DetectorSettings> = {},
  file: DetectorRulesFile | undefined = undefined,
  projectId?: string,
): EffectiveRules {
  let rules: EffectiveRules = {
    settings: { ...DEFAULT_SETTINGS, ...stripUndefined(settings) },
    charts: [...DEFAULT_CHART_RULES],
    fastPage: DEFAULT_FAST_PAGE_RULE,
    trends: [...DEFAULT_TREND_RULES],
    drift: DEFAULT_DRIFT_RULE,
    adversarial: DEFAULT_ADVERSARIAL_RULE,
  };
  rules = applySet(rules, file);
  if (projectId !== undefined) rules = applySet(rules, file?.projects?.[projectId]);
  rules.charts = rules.charts.filter((r) => r.enabled);
  rules.trends = rules.trends.filter((r) => r.enabled);
  return rules;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class DetectorRulesError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid detector rules in ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'DetectorRulesError';
  }
}

/** "charts[2] (latency_p99_ms)" for a path into a rule list; the plain path otherwise. */
function describeRule(raw: unknown, path: readonly PropertyKey[]): { rule: string; field: string } {
  let node: unknown = raw;
  let ruleEnd = 0;
  let label = '';
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    node =
      node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[seg] : undefined;
    if (typeof seg === 'number' || (i > 0 && path[i - 1] === 'projects')) {
      ruleEnd = i + 1;
      const metric =
        node && typeof node === 'object' ? (node as { metric?: unknown }).metric : undefined;
      label = typeof metric === 'string' ? ` (${metric})` : '';
    } else if (
      ['fast_page', 'drift', 'adversarial', 'settings'].includes(String(seg)) &&
      ruleEnd === i
    ) {
      ruleEnd = i + 1;
      label = '';
    }
  }
  const rule = ruleEnd === 0 ? '(file)' : `${formatFieldPath(path.slice(0, ruleEnd))}${label}`;
  const field = formatFieldPath(path.slice(ruleEnd)) || '(whole rule)';
  return { rule, field };
}

/** Parses and validates a rules file's text; throws DetectorRulesError naming rule and field. */
export function parseDetectorRules(text: string, source = 'rules'): DetectorRulesFile {
  let raw: unknown;
  try {
    raw = /\.json$/i.test(source) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new DetectorRulesError(source, [
      `not valid ${/\.json$/i.test(source) ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
    ]);
  }
  const result = DetectorRulesFileSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems: string[] = [];
  for (const issue of result.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? issue.path : [...issue.path, key];
      const { rule, field } = describeRule(raw, path);
      const message = key === undefined ? issue.message : 'unknown field';
      problems.push(`rule ${rule}, field ${field}: ${message}`);
    }
  }
  throw new DetectorRulesError(source, problems);
}
