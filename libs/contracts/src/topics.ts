/**
 * The only place topic names are spelled. Versioned: an incompatible change to a record gets a
 * new topic (v2) rather than a flag day on the old one.
 */
export const Topics = {
  spans: 'agentmon.spans.v1',
  traces: 'agentmon.traces.v1',
  metrics: 'agentmon.metrics.v1',
  alerts: 'agentmon.alerts.v1',
  deadLetter: 'agentmon.dead-letter.v1',
} as const;

export type TopicId = keyof typeof Topics;
export type TopicName = (typeof Topics)[TopicId];

export const ALL_TOPICS: readonly TopicName[] = Object.values(Topics);

export function isTopicName(value: string): value is TopicName {
  return (ALL_TOPICS as readonly string[]).includes(value);
}
