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

/** Readiness: the cluster answers a metadata request within the caller's timeout. */
export function kafkaReadinessCheck(kafka: Kafka): () => Promise<boolean> {
  return async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
      return true;
    } finally {
      await admin.disconnect();
    }
  };
}
