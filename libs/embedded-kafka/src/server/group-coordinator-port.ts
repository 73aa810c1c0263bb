// What the protocol handlers need from the consumer-group coordinator (libs/embedded-kafka/src/coordinator,
// owned separately). Structural, so GroupCoordinator satisfies it without depending on this file.

export interface GroupProtocolPort {
  name: string;
  metadata: Buffer;
}

export interface GroupCoordinatorPort {
  joinGroup(input: {
    groupId: string;
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    sessionTimeoutMs: number;
    rebalanceTimeoutMs: number;
    protocolType: string;
    protocols: GroupProtocolPort[];
    requireKnownMemberId: boolean;
  }): Promise<{
    errorCode: number;
    generationId: number;
    protocolName: string;
    leader: string;
    memberId: string;
    members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
  }>;
  syncGroup(input: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupInstanceId: string | null;
    assignments: { memberId: string; assignment: Buffer }[];
  }): Promise<{ errorCode: number; assignment: Buffer }>;
  heartbeat(input: { groupId: string; generationId: number; memberId: string }): {
    errorCode: number;
  };
  leaveGroup(input: { groupId: string; memberIds: string[] }): {
    errorCode: number;
    members: { memberId: string; errorCode: number }[];
  };
  describeGroups(groupIds: string[]): {
    errorCode: number;
    groupId: string;
    groupState: string;
    protocolType: string;
    protocolData: string;
    members: {
      memberId: string;
      clientId: string;
      clientHost: string;
      memberMetadata: Buffer;
      memberAssignment: Buffer;
    }[];
  }[];
  listGroups(): { groupId: string; protocolType: string }[];
  commitOffsets(input: {
    groupId: string;
    generationId: number;
    memberId: string;
    topics: {
      name: string;
      partitions: {
        partitionIndex: number;
        committedOffset: bigint;
        committedMetadata: string | null;
      }[];
    }[];
  }): Promise<{
    topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
  }>;
  fetchOffsets(input: {
    groupId: string;
    topics: { name: string; partitionIndexes: number[] }[] | null;
  }): {
    errorCode: number;
    topics: {
      name: string;
      partitions: {
        partitionIndex: number;
        committedOffset: bigint;
        metadata: string | null;
        errorCode: number;
      }[];
    }[];
  };
  close(): Promise<void>;
}
