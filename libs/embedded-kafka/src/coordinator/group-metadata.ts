import type { JoinGroupOutput } from './group-api-types';
import type { GroupMember } from './group-member';
import { commonProtocols, selectProtocol } from './select-protocol';
import type { ArmedTimer } from './timer-set';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

// Kafka's legal predecessors per state; an illegal transition is a coordinator bug, so it throws.
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

/**
 * In-memory state of one consumer group. Pure bookkeeping; all timing and request handling lives in
 * GroupCoordinator. Membership is deliberately not persisted: as with Kafka after a coordinator
 * failover, clients find their member id unknown after a restart and simply rejoin.
 */
export class GroupMetadata {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Insertion-ordered, so "first remaining member" is the oldest one, as in Kafka. */
  readonly members = new Map<string, GroupMember>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their expiry. */
  readonly pendingMembers = new Map<string, ArmedTimer>();
  /** Join-phase deadline: the rebalance timeout or the initial rebalance delay. */
  rebalanceTimer: ArmedTimer | undefined;
  initialDelayActive = false;
  newMemberAdded = false;

  constructor(readonly groupId: string) {}

  transitionTo(next: GroupState): void {
    if (!VALID_PREVIOUS[next].includes(this.state)) {
      throw new Error(`group ${this.groupId}: illegal transition ${this.state} -> ${next}`);
    }
    this.state = next;
  }

  canRebalance(): boolean {
    return (
      this.state === 'Stable' || this.state === 'CompletingRebalance' || this.state === 'Empty'
    );
  }

  add(member: GroupMember): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    this.leaderId ??= member.memberId;
  }

  remove(memberId: string): void {
    this.members.delete(memberId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
  }

  /** Whether a member with this protocol type and these protocols may (re)join without breaking the vote. */
  supportsProtocols(protocolType: string, protocolNames: string[]): boolean {
    if (protocolType === '' || protocolNames.length === 0) return false;
    if (this.members.size === 0) return true;
    if (protocolType !== this.protocolType) return false;
    const shared = new Set(commonProtocols([...this.members.values()]));
    return protocolNames.some((name) => shared.has(name));
  }

  hasAllMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (!m.isAwaitingJoin) return false;
    return true;
  }

  notYetRejoined(): GroupMember[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  maxRebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Ends a join phase: bumps the generation and picks the protocol (or goes Empty). */
  initNextGeneration(): void {
    this.generationId += 1;
    if (this.members.size === 0) {
      this.protocolName = null;
      this.transitionTo('Empty');
      return;
    }
    this.protocolName = selectProtocol([...this.members.values()]);
    this.transitionTo('CompletingRebalance');
  }

  /** The JoinGroup answer for a member in the current generation (members list for the leader only). */
  joinResultFor(member: GroupMember): JoinGroupOutput {
    const isLeader = member.memberId === this.leaderId;
    return {
      errorCode: 0,
      generationId: this.generationId,
      protocolName: this.protocolName ?? '',
      leader: this.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...this.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.metadataFor(this.protocolName),
          }))
        : [],
    };
  }
}
