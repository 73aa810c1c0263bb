/** Table names created by the migrations in ../migrations. */
export const ClickHouseTables = {
  traceSummaries: 'trace_summaries',
  spans: 'spans',
  metricWindows: 'metric_windows',
  alerts: 'alerts',
  alertDeliveries: 'alert_deliveries',
  notifierDecisions: 'notifier_decisions',
  notificationAttempts: 'notification_attempts',
} as const;
