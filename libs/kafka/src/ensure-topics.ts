import type { Kafka } from 'kafkajs';

/** Creates whichever of `topics` do not exist yet; existing ones are left as they are. */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  partitions: number,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
        })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Readiness: the cluster answers a metadata request. One admin connection serves every probe
 * (a probe every few seconds must not open and close a socket each time); after a failure it is
 * dropped and the next probe connects afresh.
 */
export function kafkaReadinessCheck(kafka: Kafka): () => Promise<boolean> {
  const admin = kafka.admin();
  let connected: Promise<void> | undefined;
  return async () => {
    try {
      connected ??= admin.connect();
      await connected;
      await admin.describeCluster();
      return true;
    } catch (error) {
      connected = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  };
}
