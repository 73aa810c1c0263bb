import { ErrorCode } from '../protocol/error-codes';
import type { GroupCoordinatorPort } from './group-coordinator-port';

const NA = ErrorCode.COORDINATOR_NOT_AVAILABLE;

/** Stand-in when no group coordinator is wired: every group API answers COORDINATOR_NOT_AVAILABLE. */
export const unavailableCoordinator: GroupCoordinatorPort = {
  joinGroup: async (i) => ({
    errorCode: NA,
    generationId: -1,
    protocolName: '',
    leader: '',
    memberId: i.memberId,
    members: [],
  }),
  syncGroup: async () => ({ errorCode: NA, assignment: Buffer.alloc(0) }),
  heartbeat: () => ({ errorCode: NA }),
  leaveGroup: (i) => ({
    errorCode: NA,
    members: i.memberIds.map((memberId) => ({ memberId, errorCode: NA })),
  }),
  describeGroups: (ids) =>
    ids.map((groupId) => ({
      errorCode: NA,
      groupId,
      groupState: '',
      protocolType: '',
      protocolData: '',
      members: [],
    })),
  listGroups: () => [],
  commitOffsets: async (i) => ({
    topics: i.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: NA })),
    })),
  }),
  fetchOffsets: () => ({ errorCode: NA, topics: [] }),
  close: async () => undefined,
};
