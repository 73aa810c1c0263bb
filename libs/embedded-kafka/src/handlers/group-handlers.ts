import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaWriter } from '../protocol/kafka-writer';
import type { ApiHandler } from '../server/api-handler';

// Consumer-group APIs: wire format only; every decision is the GroupCoordinator's.

export const joinGroupHandler: ApiHandler = {
  apiKey: ApiKey.JoinGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(r, req, broker) {
    const v = req.apiVersion;
    const groupId = r.string();
    const sessionTimeoutMs = r.int32();
    const rebalanceTimeoutMs = v >= 1 ? r.int32() : sessionTimeoutMs;
    const memberId = r.string();
    const groupInstanceId = v >= 5 ? r.nullableString() : null;
    const protocolType = r.string();
    const protocols = r.array((x) => ({ name: x.string(), metadata: x.bytes() }), 6);
    const out = await broker.coordinator.joinGroup({
      groupId,
      memberId,
      groupInstanceId,
      clientId: req.clientId ?? '',
      clientHost: `/${req.clientHost}`,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType,
      protocols,
      requireKnownMemberId: v >= 4,
    });
    const w = new KafkaWriter(256);
    if (v >= 2) w.int32(0);
    w.int16(out.errorCode)
      .int32(out.generationId)
      .string(out.protocolName)
      .string(out.leader)
      .string(out.memberId);
    return w.array(out.members, (w2, m) => {
      w2.string(m.memberId);
      if (v >= 5) w2.nullableString(m.groupInstanceId);
      w2.bytes(m.metadata);
    });
  },
};

export const syncGroupHandler: ApiHandler = {
  apiKey: ApiKey.SyncGroup,
  minVersion: 0,
  maxVersion: 3,
  async handle(r, req, broker) {
    const v = req.apiVersion;
    const groupId = r.string();
    const generationId = r.int32();
    const memberId = r.string();
    const groupInstanceId = v >= 3 ? r.nullableString() : null;
    const assignments = r.array((x) => ({ memberId: x.string(), assignment: x.bytes() }), 6);
    const out = await broker.coordinator.syncGroup({
      groupId,
      generationId,
      memberId,
      groupInstanceId,
      assignments,
    });
    const w = new KafkaWriter();
    if (v >= 1) w.int32(0);
    return w.int16(out.errorCode).bytes(out.assignment);
  },
};

export const heartbeatHandler: ApiHandler = {
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 3,
  handle(r, req, broker) {
    const groupId = r.string();
    const generationId = r.int32();
    const memberId = r.string();
    if (req.apiVersion >= 3) r.nullableString();
    const out = broker.coordinator.heartbeat({ groupId, generationId, memberId });
    const w = new KafkaWriter();
    if (req.apiVersion >= 1) w.int32(0);
    return w.int16(out.errorCode);
  },
};

export const leaveGroupHandler: ApiHandler = {
  apiKey: ApiKey.LeaveGroup,
  minVersion: 0,
  maxVersion: 3,
  handle(r, req, broker) {
    const v = req.apiVersion;
    const groupId = r.string();
    const members =
      v >= 3
        ? r.array((x) => ({ memberId: x.string(), groupInstanceId: x.nullableString() }), 4)
        : [{ memberId: r.string(), groupInstanceId: null }];
    const out = broker.coordinator.leaveGroup({
      groupId,
      memberIds: members.map((m) => m.memberId),
    });
    const w = new KafkaWriter();
    if (v >= 1) w.int32(0);
    w.int16(out.errorCode);
    if (v >= 3) {
      w.array(members, (w2, m) => {
        const res = out.members.find((x) => x.memberId === m.memberId);
        w2.string(m.memberId)
          .nullableString(m.groupInstanceId)
          .int16(res?.errorCode ?? ErrorCode.NONE);
      });
    }
    return w;
  },
};

export const describeGroupsHandler: ApiHandler = {
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(r, req, broker) {
    const groups = broker.coordinator.describeGroups(r.array((x) => x.string(), 2));
    const w = new KafkaWriter(512);
    if (req.apiVersion >= 1) w.int32(0);
    return w.array(groups, (w2, g) => {
      w2.int16(g.errorCode)
        .string(g.groupId)
        .string(g.groupState)
        .string(g.protocolType)
        .string(g.protocolData);
      w2.array(g.members, (w3, m) =>
        w3
          .string(m.memberId)
          .string(m.clientId)
          .string(m.clientHost)
          .bytes(m.memberMetadata)
          .bytes(m.memberAssignment),
      );
    });
  },
};

export const listGroupsHandler: ApiHandler = {
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(_r, req, broker) {
    const w = new KafkaWriter(256);
    if (req.apiVersion >= 1) w.int32(0);
    w.int16(ErrorCode.NONE);
    return w.array(broker.coordinator.listGroups(), (w2, g) =>
      w2.string(g.groupId).string(g.protocolType),
    );
  },
};

export const offsetCommitHandler: ApiHandler = {
  apiKey: ApiKey.OffsetCommit,
  // v0/v1 predate consumer-group generations in the commit (v1 has per-partition timestamps).
  minVersion: 2,
  maxVersion: 7,
  async handle(r, req, broker) {
    const v = req.apiVersion;
    const groupId = r.string();
    const generationId = r.int32();
    const memberId = r.string();
    if (v >= 7) r.nullableString();
    if (v <= 4) r.int64();
    const topics = r.array(
      (x) => ({
        name: x.string(),
        partitions: x.array((y) => {
          const partitionIndex = y.int32();
          const committedOffset = y.int64();
          if (v >= 6) y.int32();
          return { partitionIndex, committedOffset, committedMetadata: y.nullableString() };
        }, 14),
      }),
      6,
    );
    const out = await broker.coordinator.commitOffsets({ groupId, generationId, memberId, topics });
    const w = new KafkaWriter(256);
    if (v >= 3) w.int32(0);
    return w.array(out.topics, (w2, t) =>
      w2
        .string(t.name)
        .array(t.partitions, (w3, p) => w3.int32(p.partitionIndex).int16(p.errorCode)),
    );
  },
};

export const offsetFetchHandler: ApiHandler = {
  apiKey: ApiKey.OffsetFetch,
  minVersion: 1,
  maxVersion: 5,
  handle(r, req, broker) {
    const v = req.apiVersion;
    const groupId = r.string();
    const topics = r.nullableArray(
      (x) => ({ name: x.string(), partitionIndexes: x.array((y) => y.int32(), 4) }),
      6,
    );
    const out = broker.coordinator.fetchOffsets({ groupId, topics });
    const w = new KafkaWriter(256);
    if (v >= 3) w.int32(0);
    w.array(out.topics, (w2, t) =>
      w2.string(t.name).array(t.partitions, (w3, p) => {
        w3.int32(p.partitionIndex).int64(p.committedOffset);
        if (v >= 5) w3.int32(-1);
        w3.nullableString(p.metadata).int16(p.errorCode);
      }),
    );
    if (v >= 2) w.int16(out.errorCode);
    return w;
  },
};

export const groupHandlers: ApiHandler[] = [
  joinGroupHandler,
  syncGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  offsetCommitHandler,
  offsetFetchHandler,
];
