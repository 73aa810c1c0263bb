import { randomUUID } from 'node:crypto';
import { systemClock, type CoordinatorClock } from './coordinator-clock';
import type {
  CoordinatorLogger,
  DescribedGroup,
  HeartbeatInput,
  JoinGroupInput,
  JoinGroupOutput,
  LeaveGroupInput,
  LeaveGroupOutput,
  OffsetCommitInput,
  OffsetCommitOutput,
  OffsetFetchInput,
  OffsetFetchOutput,
  SyncGroupInput,
  SyncGroupOutput,
} from './group-api-types';
import { EMPTY_BUFFER, GroupMember } from './group-member';
import { GroupMetadata } from './group-metadata';
import { KafkaErrorCode as E } from './kafka-error-codes';
import { commitResponse, fetchResponse, MAX_OFFSET_METADATA_CHARS } from './offset-responses';
import type { OffsetEntry, OffsetStore } from './offset-store';
import { TimerSet } from './timer-set';

export type {
  CoordinatorLogger,
  DescribedGroup,
  GroupProtocol,
  JoinGroupInput,
  JoinGroupOutput,
  OffsetCommitInput,
  OffsetCommitOutput,
  OffsetFetchInput,
  OffsetFetchOutput,
  SyncGroupInput,
  SyncGroupOutput,
} from './group-api-types';

export interface GroupCoordinatorOptions {
  offsetStore: OffsetStore;
  /**
   * How long an Empty group waits for more members before its first generation (Kafka's
   * group.initial.rebalance.delay.ms, 3000 there). Default 0: an embedded broker mostly serves
   * tests and dev loops, where a 3 s stall per fresh group is pure latency.
   */
  initialRebalanceDelayMs?: number;
  logger?: CoordinatorLogger;
  clock?: CoordinatorClock;
  /** Bounds for a member's session timeout (Kafka: 6000..1800000). Defaults 1..1800000, lenient for tests. */
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
}

const silentLogger: CoordinatorLogger = { info: () => undefined, warn: () => undefined };

function joinError(memberId: string, errorCode: number): JoinGroupOutput {
  return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
}

const syncError = (errorCode: number): SyncGroupOutput => ({ errorCode, assignment: EMPTY_BUFFER });

/**
 * Kafka's classic consumer-group protocol (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) plus committed
 * offsets. Single-threaded: every state change happens synchronously inside a call or a timer
 * callback, so no locking is needed; parked JoinGroup/SyncGroup requests are promises resolved by
 * later calls or timers.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, GroupMetadata>();
  private readonly store: OffsetStore;
  private readonly timers: TimerSet;
  private readonly logger: CoordinatorLogger;
  private readonly initialRebalanceDelayMs: number;
  private readonly minSessionTimeoutMs: number;
  private readonly maxSessionTimeoutMs: number;
  private readonly inflightCommits = new Set<Promise<unknown>>();
  private closed = false;

  constructor(options: GroupCoordinatorOptions) {
    this.store = options.offsetStore;
    this.timers = new TimerSet(options.clock ?? systemClock);
    this.logger = options.logger ?? silentLogger;
    this.initialRebalanceDelayMs = Math.max(0, options.initialRebalanceDelayMs ?? 0);
    this.minSessionTimeoutMs = options.minSessionTimeoutMs ?? 1;
    this.maxSessionTimeoutMs = options.maxSessionTimeoutMs ?? 1_800_000;
  }

  /** Resolves when the member's join phase completes (or immediately with an error). */
  async joinGroup(input: JoinGroupInput): Promise<JoinGroupOutput> {
    if (this.closed) return joinError(input.memberId, E.COORDINATOR_NOT_AVAILABLE);
    if (input.groupId === '') return joinError(input.memberId, E.INVALID_GROUP_ID);
    if (
      input.sessionTimeoutMs < this.minSessionTimeoutMs ||
      input.sessionTimeoutMs > this.maxSessionTimeoutMs
    ) {
      return joinError(input.memberId, E.INVALID_SESSION_TIMEOUT);
    }
    let group = this.groups.get(input.groupId);
    if (!group) {
      if (input.memberId !== '') return joinError(input.memberId, E.UNKNOWN_MEMBER_ID);
      group = new GroupMetadata(input.groupId);
      this.groups.set(input.groupId, group);
    }
    const result =
      input.memberId === '' ? this.joinNewMember(group, input) : this.joinKnownMember(group, input);
    this.dropIfUnused(group);
    return result;
  }

  /** Followers park until the leader's assignment arrives (or a new rebalance cancels the round). */
  async syncGroup(input: SyncGroupInput): Promise<SyncGroupOutput> {
    if (this.closed) return syncError(E.COORDINATOR_NOT_AVAILABLE);
    if (input.groupId === '') return syncError(E.INVALID_GROUP_ID);
    const group = this.groups.get(input.groupId);
    const member = group?.members.get(input.memberId);
    if (!group || !member) return syncError(E.UNKNOWN_MEMBER_ID);
    if (input.generationId !== group.generationId) return syncError(E.ILLEGAL_GENERATION);
    switch (group.state) {
      case 'PreparingRebalance':
        return syncError(E.REBALANCE_IN_PROGRESS);
      case 'CompletingRebalance': {
        const parked = member.awaitSync();
        if (member.memberId === group.leaderId)
          this.applyLeaderAssignment(group, input.assignments);
        return parked;
      }
      case 'Stable':
        this.touchSession(group, member);
        return { errorCode: E.NONE, assignment: member.assignment };
      default:
        return syncError(E.UNKNOWN_MEMBER_ID);
    }
  }

  heartbeat(input: HeartbeatInput): { errorCode: number } {
    if (this.closed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE };
    if (input.groupId === '') return { errorCode: E.INVALID_GROUP_ID };
    const group = this.groups.get(input.groupId);
    const member = group?.members.get(input.memberId);
    if (!group || !member) return { errorCode: E.UNKNOWN_MEMBER_ID };
    if (input.generationId !== group.generationId) return { errorCode: E.ILLEGAL_GENERATION };
    this.touchSession(group, member);
    // CompletingRebalance answers NONE like modern Kafka: a member may heartbeat between its
    // JoinGroup response and SyncGroup, and that is a legitimate sign of life.
    return { errorCode: group.state === 'PreparingRebalance' ? E.REBALANCE_IN_PROGRESS : E.NONE };
  }

  /** Top-level errorCode is NONE unless the whole request failed; LeaveGroup v0-v2 should report members[0]'s. */
  leaveGroup(input: LeaveGroupInput): LeaveGroupOutput {
    if (this.closed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, members: [] };
    if (input.groupId === '') return { errorCode: E.INVALID_GROUP_ID, members: [] };
    const group = this.groups.get(input.groupId);
    const members = input.memberIds.map((memberId) => ({
      memberId,
      errorCode: group ? this.leave(group, memberId) : E.UNKNOWN_MEMBER_ID,
    }));
    if (group) this.dropIfUnused(group);
    return { errorCode: E.NONE, members };
  }

  describeGroups(groupIds: string[]): DescribedGroup[] {
    return groupIds.map((groupId) => this.describe(groupId));
  }

  listGroups(): { groupId: string; protocolType: string }[] {
    if (this.closed) return [];
    const listed = [...this.groups.values()].map((g) => ({
      groupId: g.groupId,
      protocolType: g.protocolType ?? '',
    }));
    for (const groupId of this.store.groupIds()) {
      if (!this.groups.has(groupId)) listed.push({ groupId, protocolType: '' });
    }
    return listed;
  }

  /** Resolves after the accepted offsets are fsynced. */
  async commitOffsets(input: OffsetCommitInput): Promise<OffsetCommitOutput> {
    if (this.closed) return commitResponse(input, () => E.COORDINATOR_NOT_AVAILABLE);
    const groupCode = this.authorizeCommit(input);
    if (groupCode !== E.NONE) return commitResponse(input, () => groupCode);
    const codes = new Map<string, number>();
    const key = (topic: string, partition: number) => `${partition}:${topic}`;
    const accepted: OffsetEntry[] = [];
    for (const t of input.topics) {
      for (const p of t.partitions) {
        // Kafka stores a null metadata as "" (OffsetAndMetadata.NoMetadata).
        const metadata = p.committedMetadata ?? '';
        if (metadata.length > MAX_OFFSET_METADATA_CHARS) {
          codes.set(key(t.name, p.partitionIndex), E.OFFSET_METADATA_TOO_LARGE);
        } else {
          accepted.push({
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            metadata,
          });
        }
      }
    }
    try {
      await this.track(this.store.put(input.groupId, accepted));
    } catch (err) {
      this.logger.warn(
        { groupId: input.groupId, err: String(err) },
        'failed to persist committed offsets',
      );
      for (const e of accepted) codes.set(key(e.topic, e.partition), E.UNKNOWN_SERVER_ERROR);
    }
    return commitResponse(input, (topic, partition) => codes.get(key(topic, partition)) ?? E.NONE);
  }

  /** Offsets are answered regardless of group state, since groups may use Kafka purely for storage. */
  fetchOffsets(input: OffsetFetchInput): OffsetFetchOutput {
    if (this.closed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, topics: [] };
    return fetchResponse(this.store, input);
  }

  /** Cancels every timer, answers parked requests with COORDINATOR_NOT_AVAILABLE, waits for in-flight commits. Does not close the OffsetStore. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.timers.cancelAll();
      for (const group of this.groups.values()) {
        for (const member of group.members.values()) {
          member.completeJoin(joinError(member.memberId, E.COORDINATOR_NOT_AVAILABLE));
          member.completeSync(syncError(E.COORDINATOR_NOT_AVAILABLE));
        }
      }
      this.groups.clear();
    }
    await Promise.allSettled([...this.inflightCommits]);
  }

  // ---- join phase ----

  private joinNewMember(
    group: GroupMetadata,
    input: JoinGroupInput,
  ): JoinGroupOutput | Promise<JoinGroupOutput> {
    if (
      !group.supportsProtocols(
        input.protocolType,
        input.protocols.map((p) => p.name),
      )
    ) {
      return joinError('', E.INCONSISTENT_GROUP_PROTOCOL);
    }
    const memberId = `${input.clientId}-${randomUUID()}`;
    if (input.requireKnownMemberId) {
      // KIP-394: hand out the id first, so a client that times out and retries does not leave
      // a defunct member behind. The id expires if the client never comes back with it.
      const expiry = this.timers.start(input.sessionTimeoutMs, () =>
        this.expirePendingMember(group, memberId),
      );
      group.pendingMembers.set(memberId, expiry);
      return joinError(memberId, E.MEMBER_ID_REQUIRED);
    }
    return this.addMemberAndRebalance(group, memberId, input);
  }

  private joinKnownMember(
    group: GroupMetadata,
    input: JoinGroupInput,
  ): JoinGroupOutput | Promise<JoinGroupOutput> {
    const { memberId } = input;
    if (
      !group.supportsProtocols(
        input.protocolType,
        input.protocols.map((p) => p.name),
      )
    ) {
      return joinError(memberId, E.INCONSISTENT_GROUP_PROTOCOL);
    }
    const pendingExpiry = group.pendingMembers.get(memberId);
    if (pendingExpiry) {
      this.timers.cancel(pendingExpiry);
      group.pendingMembers.delete(memberId);
      return this.addMemberAndRebalance(group, memberId, input);
    }
    const member = group.members.get(memberId);
    if (!member) return joinError(memberId, E.UNKNOWN_MEMBER_ID);
    const unchanged = member.matches(input.protocols);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, input);
      case 'CompletingRebalance':
        // Same metadata: the client probably lost our JoinGroup response; just repeat it.
        return unchanged
          ? this.currentGeneration(group, member)
          : this.updateMemberAndRebalance(group, member, input);
      case 'Stable':
        // The leader rejoining forces a rebalance: that is how it reacts to topic metadata changes.
        return unchanged && member.memberId !== group.leaderId
          ? this.currentGeneration(group, member)
          : this.updateMemberAndRebalance(group, member, input);
      default:
        return joinError(memberId, E.UNKNOWN_MEMBER_ID);
    }
  }

  private currentGeneration(group: GroupMetadata, member: GroupMember): JoinGroupOutput {
    this.touchSession(group, member);
    return group.joinResultFor(member);
  }

  private addMemberAndRebalance(
    group: GroupMetadata,
    memberId: string,
    input: JoinGroupInput,
  ): Promise<JoinGroupOutput> {
    const member = new GroupMember(memberId, input);
    const joined = member.awaitJoin();
    if (group.initialDelayActive) group.newMemberAdded = true;
    group.add(member);
    this.touchSession(group, member);
    this.logger.info(
      { groupId: group.groupId, memberId, clientId: input.clientId },
      'member joining group',
    );
    this.maybePrepareRebalance(group, `member ${memberId} joined`);
    return joined;
  }

  private updateMemberAndRebalance(
    group: GroupMetadata,
    member: GroupMember,
    input: JoinGroupInput,
  ): Promise<JoinGroupOutput> {
    member.update(input);
    const joined = member.awaitJoin();
    this.maybePrepareRebalance(group, `member ${member.memberId} rejoined`);
    return joined;
  }

  private maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
    else this.tryCompleteJoin(group);
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.state === 'CompletingRebalance') this.abortSyncRound(group);
    const wasEmpty = group.state === 'Empty';
    group.transitionTo('PreparingRebalance');
    this.logger.info(
      { groupId: group.groupId, generationId: group.generationId, reason },
      'preparing to rebalance group',
    );
    // Even with a zero delay an Empty group completes from a timer, so members whose JoinGroups
    // arrive together (e.g. several consumers started at once) land in one generation.
    if (wasEmpty) {
      this.startInitialDelay(group);
      return;
    }
    group.rebalanceTimer = this.timers.start(group.maxRebalanceTimeoutMs(), () => {
      group.rebalanceTimer = undefined;
      this.completeJoin(group);
    });
    this.tryCompleteJoin(group);
  }

  /** Kafka's InitialDelayedJoin: keep extending while new members arrive, within the rebalance timeout. */
  private startInitialDelay(group: GroupMetadata): void {
    const delay = this.initialRebalanceDelayMs;
    const budget = group.maxRebalanceTimeoutMs();
    const arm = (waitMs: number, remainingMs: number) => {
      group.newMemberAdded = false;
      group.rebalanceTimer = this.timers.start(waitMs, () => {
        group.rebalanceTimer = undefined;
        if (group.newMemberAdded && remainingMs > 0) {
          const next = Math.min(delay, remainingMs);
          arm(next, remainingMs - next);
          return;
        }
        this.completeJoin(group);
      });
    };
    group.initialDelayActive = true;
    arm(Math.min(delay, budget), Math.max(budget - delay, 0));
  }

  private tryCompleteJoin(group: GroupMetadata): void {
    if (
      group.state === 'PreparingRebalance' &&
      !group.initialDelayActive &&
      group.hasAllMembersJoined()
    ) {
      this.completeJoin(group);
    }
  }

  private completeJoin(group: GroupMetadata): void {
    this.timers.cancel(group.rebalanceTimer);
    group.rebalanceTimer = undefined;
    group.initialDelayActive = false;
    if (group.state !== 'PreparingRebalance') return;
    for (const laggard of group.notYetRejoined()) {
      this.logger.info(
        { groupId: group.groupId, memberId: laggard.memberId },
        'member did not rejoin in time, removing',
      );
      this.detachMember(group, laggard);
    }
    group.initNextGeneration();
    this.logger.info(
      {
        groupId: group.groupId,
        generationId: group.generationId,
        members: group.members.size,
        protocol: group.protocolName,
      },
      group.members.size === 0 ? 'group is now empty' : 'group join phase complete',
    );
    for (const member of group.members.values()) {
      member.completeJoin(group.joinResultFor(member));
      member.isNew = false;
      this.touchSession(group, member);
    }
    this.dropIfUnused(group);
  }

  // ---- sync phase ----

  private applyLeaderAssignment(
    group: GroupMetadata,
    assignments: SyncGroupInput['assignments'],
  ): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const member of group.members.values()) {
      const assignment = byMember.get(member.memberId);
      member.assignment = assignment ? Buffer.from(assignment) : EMPTY_BUFFER;
    }
    group.transitionTo('Stable');
    this.logger.info(
      { groupId: group.groupId, generationId: group.generationId },
      'group stable, assignment received from leader',
    );
    for (const member of group.members.values()) {
      if (member.completeSync({ errorCode: E.NONE, assignment: member.assignment }))
        this.touchSession(group, member);
    }
  }

  /** A new rebalance started before the leader synced: parked followers must rejoin. */
  private abortSyncRound(group: GroupMetadata): void {
    for (const member of group.members.values()) {
      member.assignment = EMPTY_BUFFER;
      if (member.completeSync(syncError(E.REBALANCE_IN_PROGRESS))) this.touchSession(group, member);
    }
  }

  // ---- liveness ----

  private touchSession(group: GroupMetadata, member: GroupMember): void {
    this.timers.cancel(member.sessionTimer);
    member.sessionTimer = this.timers.start(member.sessionTimeoutMs, () =>
      this.onSessionExpired(group, member),
    );
  }

  private onSessionExpired(group: GroupMetadata, member: GroupMember): void {
    member.sessionTimer = undefined;
    if (group.members.get(member.memberId) !== member) return;
    // A parked JoinGroup/SyncGroup is a live client waiting on us; the rebalance timeout (join) or
    // the leader's own session (sync) bounds that wait instead.
    if (member.isAwaitingJoin || member.isAwaitingSync) {
      this.touchSession(group, member);
      return;
    }
    this.logger.info(
      { groupId: group.groupId, memberId: member.memberId },
      'member session expired, removing',
    );
    this.removeMemberAndUpdateGroup(group, member);
    this.dropIfUnused(group);
  }

  private expirePendingMember(group: GroupMetadata, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    this.tryCompleteJoin(group);
    this.dropIfUnused(group);
  }

  private leave(group: GroupMetadata, memberId: string): number {
    const pendingExpiry = group.pendingMembers.get(memberId);
    if (pendingExpiry) {
      this.timers.cancel(pendingExpiry);
      group.pendingMembers.delete(memberId);
      this.tryCompleteJoin(group);
      return E.NONE;
    }
    const member = group.members.get(memberId);
    if (!member) return E.UNKNOWN_MEMBER_ID;
    this.logger.info({ groupId: group.groupId, memberId }, 'member left group');
    this.removeMemberAndUpdateGroup(group, member);
    return E.NONE;
  }

  private removeMemberAndUpdateGroup(group: GroupMetadata, member: GroupMember): void {
    // Anything it still has parked gets an answer that makes a live client start over.
    member.completeJoin(joinError('', E.UNKNOWN_MEMBER_ID));
    member.completeSync(syncError(E.UNKNOWN_MEMBER_ID));
    this.detachMember(group, member);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance')
      this.maybePrepareRebalance(group, `member ${member.memberId} removed`);
    else this.tryCompleteJoin(group);
  }

  private detachMember(group: GroupMetadata, member: GroupMember): void {
    this.timers.cancel(member.sessionTimer);
    member.sessionTimer = undefined;
    group.remove(member.memberId);
  }

  /** Forget a memberless group unless it still has offsets (then it lingers as Empty, like Kafka). */
  private dropIfUnused(group: GroupMetadata): void {
    if (group.state !== 'Empty' || group.members.size > 0 || group.pendingMembers.size > 0) return;
    if (this.store.hasGroup(group.groupId) || this.groups.get(group.groupId) !== group) return;
    this.groups.delete(group.groupId);
    group.transitionTo('Dead');
  }

  // ---- offsets & describe ----

  /** Kafka's doCommitOffsets checks; NONE means the commit may be stored. */
  private authorizeCommit(input: OffsetCommitInput): number {
    const group = this.groups.get(input.groupId);
    // No live group: a standalone (generation -1) commit is fine; a generation means a stale member.
    if (!group) return input.generationId < 0 ? E.NONE : E.ILLEGAL_GENERATION;
    if (input.generationId < 0 && group.state === 'Empty') return E.NONE;
    const member = group.members.get(input.memberId);
    if (!member) return E.UNKNOWN_MEMBER_ID;
    if (input.generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    // Members have their new generation but no assignment yet; they must not commit.
    if (group.state === 'CompletingRebalance') return E.REBALANCE_IN_PROGRESS;
    this.touchSession(group, member);
    return E.NONE;
  }

  private describe(groupId: string): DescribedGroup {
    const base = { errorCode: E.NONE, groupId, protocolType: '', protocolData: '', members: [] };
    if (this.closed) return { ...base, errorCode: E.COORDINATOR_NOT_AVAILABLE, groupState: '' };
    const group = this.groups.get(groupId);
    if (!group) return { ...base, groupState: this.store.hasGroup(groupId) ? 'Empty' : 'Dead' };
    // Like Kafka, member metadata and assignments are only meaningful (and shown) once Stable.
    const stable = group.state === 'Stable';
    return {
      ...base,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadataFor(group.protocolName) : EMPTY_BUFFER,
        memberAssignment: stable ? m.assignment : EMPTY_BUFFER,
      })),
    };
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflightCommits.add(p);
    const forget = () => this.inflightCommits.delete(p);
    p.then(forget, forget);
    return p;
  }
}
