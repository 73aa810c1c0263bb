// Request/response shapes of the coordinator's API. The broker's wire handlers code against these
// names exactly; group-coordinator.ts re-exports them.

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupInput {
  groupId: string;
  /** '' for a new member. */
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  /** true for JoinGroup v4+: a new member gets MEMBER_ID_REQUIRED(79) plus an assigned memberId. */
  requireKnownMemberId: boolean;
}

export interface JoinGroupOutput {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  /** Non-empty only for the leader. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncGroupInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupOutput {
  errorCode: number;
  assignment: Buffer;
}

export interface HeartbeatInput {
  groupId: string;
  generationId: number;
  memberId: string;
}

export interface LeaveGroupInput {
  groupId: string;
  memberIds: string[];
}

export interface LeaveGroupOutput {
  errorCode: number;
  members: { memberId: string; errorCode: number }[];
}

export interface OffsetCommitInput {
  groupId: string;
  /** -1 = simple commit without group membership. */
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
}

export interface OffsetCommitOutput {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export interface OffsetFetchInput {
  groupId: string;
  /** null = all partitions the group has committed. */
  topics: { name: string; partitionIndexes: number[] }[] | null;
}

export interface OffsetFetchOutput {
  errorCode: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      /** -1n if none. */
      committedOffset: bigint;
      metadata: string | null;
      errorCode: number;
    }[];
  }[];
}

export interface DescribedGroup {
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
}

export interface CoordinatorLogger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
}
