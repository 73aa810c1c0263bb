import type { Alert, InhibitMatcher, InhibitRule } from '@agentmon/contracts';
import { sameSlice } from './series';

function matcherMatches(matcher: InhibitMatcher, alert: Alert): boolean {
  return (
    matcher.severity === alert.severity &&
    (matcher.metric === undefined || matcher.metric === alert.metric)
  );
}

function equalFields(rule: InhibitRule, source: Alert, target: Alert): boolean {
  return rule.equal.every((field) => {
    switch (field) {
      case 'project_id':
        return source.project_id === target.project_id;
      case 'metric':
        return source.metric === target.metric;
      case 'slice':
        return sameSlice(source.slice, target.slice);
    }
  });
}

export interface Inhibition {
  rule: InhibitRule;
  source: Alert;
}

/** The firing alert (and rule) that inhibits `target`, or null. Only firing alerts inhibit. */
export function findInhibition(
  target: Alert,
  firing: Iterable<Alert>,
  rules: readonly InhibitRule[],
): Inhibition | null {
  if (target.state !== 'firing') return null;
  for (const rule of rules) {
    if (!matcherMatches(rule.target, target)) continue;
    for (const source of firing) {
      if (source.state !== 'firing' || source.fingerprint === target.fingerprint) continue;
      if (matcherMatches(rule.source, source) && equalFields(rule, source, target)) {
        return { rule, source };
      }
    }
  }
  return null;
}
