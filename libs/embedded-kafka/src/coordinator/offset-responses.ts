import type {
  OffsetCommitInput,
  OffsetCommitOutput,
  OffsetFetchInput,
  OffsetFetchOutput,
} from './group-api-types';
import type { OffsetStore } from './offset-store';

/** Kafka's offset.metadata.max.bytes default. */
export const MAX_OFFSET_METADATA_CHARS = 4096;

type PartitionCode = (topic: string, partitionIndex: number) => number;

/** Shapes an OffsetCommit response, asking `codeOf` for each partition's error code. */
export function commitResponse(
  input: OffsetCommitInput,
  codeOf: PartitionCode,
): OffsetCommitOutput {
  return {
    topics: input.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: codeOf(t.name, p.partitionIndex),
      })),
    })),
  };
}

/** OffsetFetch answered from the store; unknown partitions report offset -1 and no error, as in Kafka. */
export function fetchResponse(store: OffsetStore, input: OffsetFetchInput): OffsetFetchOutput {
  if (input.topics === null) {
    const byTopic = new Map<string, OffsetFetchOutput['topics'][number]>();
    for (const e of store.groupOffsets(input.groupId)) {
      let topic = byTopic.get(e.topic);
      if (!topic) byTopic.set(e.topic, (topic = { name: e.topic, partitions: [] }));
      topic.partitions.push({
        partitionIndex: e.partition,
        committedOffset: e.offset,
        metadata: e.metadata,
        errorCode: 0,
      });
    }
    return { errorCode: 0, topics: [...byTopic.values()] };
  }
  return {
    errorCode: 0,
    topics: input.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => {
        const c = store.get(input.groupId, t.name, partitionIndex);
        return {
          partitionIndex,
          committedOffset: c?.offset ?? -1n,
          metadata: c ? c.metadata : '',
          errorCode: 0,
        };
      }),
    })),
  };
}
