// Public API of @agentmon/notifier-domain: pure cooldown, grouping, inhibition, silences, digests and Slack message rendering. No I/O.
export { DEFAULT_NOTIFIER_OPTIONS, notifierOptions } from './notifier-options';
export type { NotifierOptions } from './notifier-options';
export { FINAL_DECISION_REASONS } from './decision';
export type { Decision, DecisionReason } from './decision';
export { cooldownOperation, decideCooldown, markCooldownDelivered } from './cooldown';
export type {
  CooldownDecision,
  CooldownOperation,
  CooldownRecord,
  CooldownVerdict,
} from './cooldown';
export { findSilence, silenceActive, silenceMatches } from './silences';
export { findInhibition } from './inhibition';
export type { Inhibition } from './inhibition';
export {
  composeGroup,
  initialNotifierState,
  nextDueAt,
  notificationId,
  onAlert,
  prepareGroup,
  takeDueGroups,
} from './notifier-engine';
export type {
  AlertNotification,
  CooldownCandidate,
  EngineContext,
  EngineStep,
  FiringEntry,
  NotifierState,
  PendingGroup,
} from './notifier-engine';
export { digestId, digestProjects, dueDigest, nextDigestAt, summarizeDigest } from './digest';
export type { DigestCounts, DigestSummary, DueDigest, WorstSlice } from './digest';
export {
  dashboardCommand,
  renderAlertMessage,
  renderDigestMessage,
  silenceCommand,
  summaryLine,
} from './slack-message';
export type { SlackBlock, SlackMessage, SlackText } from './slack-message';
export { formatDelta, formatDuration, formatValue, metricUnit } from './metric-format';
export type { MetricUnit } from './metric-format';
export { cooldownKey, groupKey, sliceLabel } from './series';
export { compareWorstFirst } from './ranking';
export {
  buildSilence,
  expireSilence,
  parseDurationMs,
  parseSliceLabel,
  silenceRow,
  silencesKey,
  silenceStatus,
  sortSilences,
} from './silence-admin';
export type { NewSilence, SilenceRow, SilenceStatus } from './silence-admin';
