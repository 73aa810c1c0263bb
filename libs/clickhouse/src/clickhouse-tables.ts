/** Table names created by the migrations in ../migrations. */
export const ClickHouseTables = {
  traceSummaries: 'trace_summaries',
  spans: 'spans',
  spansRecent: 'spans_recent',
  metricWindows: 'metric_windows',
  alerts: 'alerts',
  alertDeliveries: 'alert_deliveries',
  baselineResets: 'baseline_resets',
  notifierDecisions: 'notifier_decisions',
  notificationAttempts: 'notification_attempts',
  evalExports: 'eval_exports',
  reviewVerdicts: 'review_verdicts',
} as const;
