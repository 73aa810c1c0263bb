import { GroupCoordinator } from './group-coordinator';
import type { JoinGroupInput, JoinGroupOutput } from './group-api-types';
import { KafkaErrorCode as E } from './kafka-error-codes';
import type { OffsetStore } from './offset-store';
import { FakeClock } from './testing/fake-clock';
import { flush, joinInput, observe, openTempStore } from './testing/group-test-kit';

describe('GroupCoordinator membership', () => {
  let clock: FakeClock;
  let store: OffsetStore;
  let cleanup: () => Promise<void>;
  let gc: GroupCoordinator;

  beforeEach(async () => {
    clock = new FakeClock();
    ({ store, cleanup } = await openTempStore());
    gc = new GroupCoordinator({ offsetStore: store, clock });
  });

  afterEach(async () => {
    await gc.close();
    await cleanup();
  });

  /** Joins that start together; advance(0) fires the (zero) initial rebalance delay of a fresh group. */
  const joinAll = (n: number, overrides = {}) => {
    const joins = Array.from({ length: n }, (_, i) =>
      gc.joinGroup(joinInput({ clientId: `c${i}`, ...overrides })),
    );
    clock.advance(0);
    return Promise.all(joins);
  };
  const joinFresh = (input: JoinGroupInput) => {
    const out = gc.joinGroup(input);
    clock.advance(0);
    return out;
  };

  /** n members joined and synced; returns their join results (index 0 is the leader). */
  async function stableGroup(n: number, overrides = {}): Promise<JoinGroupOutput[]> {
    const joins = await joinAll(n, overrides);
    const [leader] = joins;
    const assignments = joins.map((j) => ({
      memberId: j.memberId,
      assignment: Buffer.from(`a-${j.memberId}`),
    }));
    const followerSyncs = joins.slice(1).map((j) =>
      gc.syncGroup({
        groupId: 'g1',
        generationId: j.generationId,
        memberId: j.memberId,
        groupInstanceId: null,
        assignments: [],
      }),
    );
    const leaderSync = await gc.syncGroup({
      groupId: 'g1',
      generationId: leader.generationId,
      memberId: leader.memberId,
      groupInstanceId: null,
      assignments,
    });
    expect(leaderSync.errorCode).toBe(E.NONE);
    for (const s of await Promise.all(followerSyncs)) expect(s.errorCode).toBe(E.NONE);
    expect(gc.describeGroups(['g1'])[0].groupState).toBe('Stable');
    return joins;
  }

  const hb = (j: JoinGroupOutput, generationId = j.generationId) =>
    gc.heartbeat({ groupId: 'g1', generationId, memberId: j.memberId }).errorCode;

  it('a single member becomes leader of generation 1 and gets its own metadata', async () => {
    const out = await joinFresh(
      joinInput({ protocols: [{ name: 'range', metadata: Buffer.from([1, 2, 3]) }] }),
    );
    expect(out).toMatchObject({
      errorCode: E.NONE,
      generationId: 1,
      protocolName: 'range',
      leader: out.memberId,
    });
    expect(out.memberId).toMatch(/^client-/);
    expect(out.members).toEqual([
      { memberId: out.memberId, groupInstanceId: null, metadata: Buffer.from([1, 2, 3]) },
    ]);
    expect(gc.describeGroups(['g1'])[0].groupState).toBe('CompletingRebalance');
  });

  it('three concurrent joiners share one generation; only the first (leader) gets the member list', async () => {
    const joins = await joinAll(3);
    expect(new Set(joins.map((j) => j.generationId))).toEqual(new Set([1]));
    expect(joins.every((j) => j.leader === joins[0].memberId)).toBe(true);
    expect(joins[0].members.map((m) => m.memberId)).toEqual(joins.map((j) => j.memberId));
    expect(joins[1].members).toEqual([]);
    expect(joins[2].members).toEqual([]);
  });

  it('relays the leader assignment bytes exactly, releasing followers that synced first', async () => {
    const [leader, f1, f2] = await joinAll(3);
    const bytes = new Map([
      [leader.memberId, Buffer.from([0, 255, 7])],
      [f1.memberId, Buffer.from([0x00, 0x01, 0x80, 0xfe])],
      // f2 deliberately omitted: Kafka gives it an empty assignment
    ]);
    const sync = (
      j: JoinGroupOutput,
      assignments: { memberId: string; assignment: Buffer }[] = [],
    ) =>
      gc.syncGroup({
        groupId: 'g1',
        generationId: 1,
        memberId: j.memberId,
        groupInstanceId: null,
        assignments,
      });
    const early = observe(sync(f1));
    await flush();
    expect(early.settled).toBe(false);
    const leaderOut = await sync(
      leader,
      [...bytes].map(([memberId, assignment]) => ({ memberId, assignment })),
    );
    await flush();
    expect(early.value).toEqual({ errorCode: E.NONE, assignment: bytes.get(f1.memberId) });
    expect(leaderOut.assignment.equals(bytes.get(leader.memberId)!)).toBe(true);
    expect(await sync(f2)).toEqual({ errorCode: E.NONE, assignment: Buffer.alloc(0) });
    expect(hb(f2)).toBe(E.NONE);
    const described = gc.describeGroups(['g1'])[0];
    expect(described.protocolData).toBe('range');
    expect(described.members.find((m) => m.memberId === f1.memberId)?.memberAssignment).toEqual(
      bytes.get(f1.memberId),
    );
  });

  it('MEMBER_ID_REQUIRED: hands out an id, accepts it on rejoin, expires it after the session timeout', async () => {
    const first = await gc.joinGroup(
      joinInput({ requireKnownMemberId: true, sessionTimeoutMs: 6000 }),
    );
    expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^client-.+/);
    const joined = await joinFresh(
      joinInput({ memberId: first.memberId, requireKnownMemberId: true }),
    );
    expect(joined).toMatchObject({
      errorCode: E.NONE,
      memberId: first.memberId,
      generationId: 1,
      leader: first.memberId,
    });

    const second = await gc.joinGroup(
      joinInput({ requireKnownMemberId: true, sessionTimeoutMs: 6000 }),
    );
    expect(second.errorCode).toBe(E.MEMBER_ID_REQUIRED);
    clock.advance(6000);
    const late = await gc.joinGroup(
      joinInput({ memberId: second.memberId, requireKnownMemberId: true }),
    );
    expect(late.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('a pending (MEMBER_ID_REQUIRED) member holds the join phase until it rejoins with its id', async () => {
    const [a] = await stableGroup(1);
    const pendingB = await gc.joinGroup(joinInput({ clientId: 'b', requireKnownMemberId: true }));
    expect(hb(a)).toBe(E.NONE); // handing out an id alone does not disturb the group
    const aRejoin = observe(gc.joinGroup(joinInput({ clientId: 'a', memberId: a.memberId })));
    await flush();
    expect(aRejoin.settled).toBe(false);
    const b = await gc.joinGroup(
      joinInput({ clientId: 'b', memberId: pendingB.memberId, requireKnownMemberId: true }),
    );
    await flush();
    expect(b).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: a.memberId });
    expect(aRejoin.value?.members.map((m) => m.memberId)).toEqual([a.memberId, pendingB.memberId]);
  });

  it('a member leaving makes the others see REBALANCE_IN_PROGRESS; they rejoin into the next generation', async () => {
    const [a, b, c] = await stableGroup(3);
    expect(gc.leaveGroup({ groupId: 'g1', memberIds: [c.memberId, 'nobody'] })).toEqual({
      errorCode: E.NONE,
      members: [
        { memberId: c.memberId, errorCode: E.NONE },
        { memberId: 'nobody', errorCode: E.UNKNOWN_MEMBER_ID },
      ],
    });
    expect(hb(a)).toBe(E.REBALANCE_IN_PROGRESS);
    expect(hb(b)).toBe(E.REBALANCE_IN_PROGRESS);
    const rejoinA = observe(gc.joinGroup(joinInput({ memberId: a.memberId })));
    await flush();
    expect(rejoinA.settled).toBe(false); // still waiting for b
    const rejoinB = await gc.joinGroup(joinInput({ memberId: b.memberId }));
    await flush();
    expect(rejoinB).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: a.memberId });
    expect(rejoinA.value?.members.map((m) => m.memberId)).toEqual([a.memberId, b.memberId]);
    expect(hb(c)).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('the leader leaving hands leadership to the oldest remaining member', async () => {
    const [a, b, c] = await stableGroup(3);
    gc.leaveGroup({ groupId: 'g1', memberIds: [a.memberId] });
    const [jb, jc] = await Promise.all([
      gc.joinGroup(joinInput({ memberId: b.memberId })),
      gc.joinGroup(joinInput({ memberId: c.memberId })),
    ]);
    expect(jb.leader).toBe(b.memberId);
    expect(jb.members).toHaveLength(2);
    expect(jc.members).toEqual([]);
  });

  it('evicts a member whose session times out and rebalances the rest', async () => {
    const [a, b] = await stableGroup(2, { sessionTimeoutMs: 1000 });
    for (let t = 0; t < 2; t++) {
      clock.advance(400);
      expect(hb(a)).toBe(E.NONE);
    }
    clock.advance(199); // b last seen 999 ms ago
    expect(gc.describeGroups(['g1'])[0].members).toHaveLength(2);
    clock.advance(1);
    expect(gc.describeGroups(['g1'])[0].members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(hb(a)).toBe(E.REBALANCE_IN_PROGRESS);
    expect(hb(b)).toBe(E.UNKNOWN_MEMBER_ID);
    const rejoin = await gc.joinGroup(joinInput({ memberId: a.memberId, sessionTimeoutMs: 1000 }));
    expect(rejoin).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: a.memberId });
    expect(rejoin.members).toHaveLength(1);
  });

  it('the rebalance timeout removes members that did not rejoin', async () => {
    const [a, b] = await stableGroup(2, { rebalanceTimeoutMs: 5000, sessionTimeoutMs: 30_000 });
    const rejoin = observe(
      gc.joinGroup(
        joinInput({ memberId: a.memberId, rebalanceTimeoutMs: 5000, sessionTimeoutMs: 30_000 }),
      ),
    );
    clock.advance(4999);
    expect(hb(b)).toBe(E.REBALANCE_IN_PROGRESS); // alive, but never rejoins
    await flush();
    expect(rejoin.settled).toBe(false);
    clock.advance(1);
    await flush();
    expect(rejoin.value).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: a.memberId });
    expect(rejoin.value?.members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(hb(b)).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('a leader that never syncs is timed out; the parked follower is told to rejoin and takes over', async () => {
    const [leader, follower] = await joinAll(2, { sessionTimeoutMs: 1000 });
    const parked = observe(
      gc.syncGroup({
        groupId: 'g1',
        generationId: 1,
        memberId: follower.memberId,
        groupInstanceId: null,
        assignments: [],
      }),
    );
    clock.advance(999);
    await flush();
    expect(parked.settled).toBe(false);
    clock.advance(1);
    await flush();
    expect(parked.value?.errorCode).toBe(E.REBALANCE_IN_PROGRESS);
    const rejoin = await gc.joinGroup(
      joinInput({ memberId: follower.memberId, sessionTimeoutMs: 1000 }),
    );
    expect(rejoin).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: follower.memberId });
    expect(hb(leader, 2)).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('a new member joining before the leader syncs aborts the sync round', async () => {
    const [leader, follower] = await joinAll(2);
    const parked = observe(
      gc.syncGroup({
        groupId: 'g1',
        generationId: 1,
        memberId: follower.memberId,
        groupInstanceId: null,
        assignments: [],
      }),
    );
    const newcomer = observe(gc.joinGroup(joinInput({ clientId: 'late' })));
    await flush();
    expect(parked.value?.errorCode).toBe(E.REBALANCE_IN_PROGRESS);
    expect(newcomer.settled).toBe(false);
    const leaderSync = await gc.syncGroup({
      groupId: 'g1',
      generationId: 1,
      memberId: leader.memberId,
      groupInstanceId: null,
      assignments: [],
    });
    expect(leaderSync.errorCode).toBe(E.REBALANCE_IN_PROGRESS);
  });

  it('a re-sent JoinGroup for the same member resolves both requests with the same result', async () => {
    const [a, b] = await stableGroup(2);
    const first = gc.joinGroup(joinInput({ memberId: a.memberId }));
    const resent = gc.joinGroup(joinInput({ memberId: a.memberId }));
    await gc.joinGroup(joinInput({ memberId: b.memberId }));
    const [r1, r2] = await Promise.all([first, resent]);
    expect(r1).toEqual(r2);
    expect(r1).toMatchObject({ errorCode: E.NONE, generationId: 2 });
  });

  it('a follower rejoining a stable group with unchanged metadata gets the current generation, no rebalance', async () => {
    const [, b] = await stableGroup(2);
    const again = await gc.joinGroup(joinInput({ memberId: b.memberId }));
    expect(again).toMatchObject({ errorCode: E.NONE, generationId: 1, members: [] });
    expect(gc.describeGroups(['g1'])[0].groupState).toBe('Stable');
  });

  it.each([
    ['range+roundrobin / roundrobin', [['range', 'roundrobin'], ['roundrobin']], 'roundrobin'],
    [
      'majority preference wins',
      [
        ['range', 'roundrobin'],
        ['roundrobin', 'range'],
        ['roundrobin', 'range'],
      ],
      'roundrobin',
    ],
    [
      'tie broken by first member',
      [
        ['range', 'roundrobin'],
        ['roundrobin', 'range'],
      ],
      'range',
    ],
  ])('selects the group protocol by vote: %s', async (_name, prefs, expected) => {
    const pending = prefs.map((names, i) =>
      gc.joinGroup(
        joinInput({
          clientId: `c${i}`,
          protocols: names.map((name) => ({ name, metadata: Buffer.from(name) })),
        }),
      ),
    );
    clock.advance(0);
    const joins = await Promise.all(pending);
    expect(new Set(joins.map((j) => j.protocolName))).toEqual(new Set([expected]));
    expect(joins[0].members[0].metadata).toEqual(Buffer.from(expected));
  });

  it.each([
    ['no protocol in common', { protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }],
    ['different protocol type', { protocolType: 'connect' }],
    ['no protocols at all', { protocols: [] }],
  ])('rejects a joiner with INCONSISTENT_GROUP_PROTOCOL: %s', async (_name, overrides) => {
    const leader = observe(joinFresh(joinInput()));
    await flush();
    const out = await gc.joinGroup(joinInput({ clientId: 'other', ...overrides }));
    expect(out.errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    expect(leader.value?.members).toHaveLength(1);
  });

  it('delays the first generation of an empty group while members keep arriving', async () => {
    await gc.close();
    gc = new GroupCoordinator({ offsetStore: store, clock, initialRebalanceDelayMs: 3000 });
    const a = observe(gc.joinGroup(joinInput({ clientId: 'a' })));
    clock.advance(2000);
    const b = observe(gc.joinGroup(joinInput({ clientId: 'b' })));
    clock.advance(1000); // first delay ends, but b arrived during it: extend by another 3000
    await flush();
    expect(a.settled).toBe(false);
    clock.advance(3000);
    await flush();
    expect(a.value).toMatchObject({ errorCode: E.NONE, generationId: 1 });
    expect(a.value?.members).toHaveLength(2);
    expect(b.value?.generationId).toBe(1);
  });

  describe('error cases', () => {
    it.each([
      [
        'unknown member',
        (j: JoinGroupOutput) => ({ memberId: 'ghost', generationId: j.generationId }),
        E.UNKNOWN_MEMBER_ID,
      ],
      [
        'stale generation',
        (j: JoinGroupOutput) => ({ memberId: j.memberId, generationId: j.generationId - 1 }),
        E.ILLEGAL_GENERATION,
      ],
      [
        'future generation',
        (j: JoinGroupOutput) => ({ memberId: j.memberId, generationId: j.generationId + 1 }),
        E.ILLEGAL_GENERATION,
      ],
    ])('heartbeat, sync and commit reject %s', async (_name, ids, code) => {
      const [a] = await stableGroup(1);
      const { memberId, generationId } = ids(a);
      expect(gc.heartbeat({ groupId: 'g1', memberId, generationId }).errorCode).toBe(code);
      expect(
        (
          await gc.syncGroup({
            groupId: 'g1',
            memberId,
            generationId,
            groupInstanceId: null,
            assignments: [],
          })
        ).errorCode,
      ).toBe(code);
      const commit = await gc.commitOffsets({
        groupId: 'g1',
        memberId,
        generationId,
        topics: [
          {
            name: 't',
            partitions: [{ partitionIndex: 0, committedOffset: 5n, committedMetadata: null }],
          },
        ],
      });
      expect(commit.topics[0].partitions[0].errorCode).toBe(code);
      expect(store.get('g1', 't', 0)).toBeUndefined();
    });

    it.each([
      [
        'unknown group with a member id',
        joinInput({ groupId: 'nope', memberId: 'm-1' }),
        E.UNKNOWN_MEMBER_ID,
      ],
      ['empty group id', joinInput({ groupId: '' }), E.INVALID_GROUP_ID],
      [
        'session timeout too large',
        joinInput({ sessionTimeoutMs: 1_800_001 }),
        E.INVALID_SESSION_TIMEOUT,
      ],
      ['session timeout zero', joinInput({ sessionTimeoutMs: 0 }), E.INVALID_SESSION_TIMEOUT],
    ])('join rejects %s', async (_name, input, code) => {
      expect((await gc.joinGroup(input)).errorCode).toBe(code);
      expect(gc.listGroups()).toEqual([]);
    });

    it('heartbeats and syncs for an unknown group answer UNKNOWN_MEMBER_ID', async () => {
      expect(gc.heartbeat({ groupId: 'nope', generationId: 1, memberId: 'm' }).errorCode).toBe(
        E.UNKNOWN_MEMBER_ID,
      );
      expect(
        (
          await gc.syncGroup({
            groupId: 'nope',
            generationId: 1,
            memberId: 'm',
            groupInstanceId: null,
            assignments: [],
          })
        ).errorCode,
      ).toBe(E.UNKNOWN_MEMBER_ID);
    });

    it('sync during a pending rebalance answers REBALANCE_IN_PROGRESS', async () => {
      const [a, b] = await stableGroup(2);
      void gc.joinGroup(joinInput({ memberId: a.memberId }));
      const out = await gc.syncGroup({
        groupId: 'g1',
        generationId: 1,
        memberId: b.memberId,
        groupInstanceId: null,
        assignments: [],
      });
      expect(out.errorCode).toBe(E.REBALANCE_IN_PROGRESS);
    });
  });

  it('describe and list reflect live groups; unknown groups are Dead', async () => {
    await stableGroup(2);
    expect(gc.listGroups()).toEqual([{ groupId: 'g1', protocolType: 'consumer' }]);
    const [g1, other] = gc.describeGroups(['g1', 'other']);
    expect(g1).toMatchObject({
      errorCode: E.NONE,
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
    });
    expect(g1.members.map((m) => m.clientId)).toEqual(['c0', 'c1']);
    expect(g1.members[0].memberMetadata).toEqual(Buffer.from('meta'));
    expect(other).toMatchObject({ errorCode: E.NONE, groupState: 'Dead', members: [] });
  });

  it('the last member leaving empties the group and forgets it when it has no offsets', async () => {
    const [a] = await stableGroup(1);
    gc.leaveGroup({ groupId: 'g1', memberIds: [a.memberId] });
    expect(gc.describeGroups(['g1'])[0].groupState).toBe('Dead');
    expect(gc.listGroups()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('close answers parked requests, clears every timer and refuses further work', async () => {
    const [a] = await joinAll(2, { sessionTimeoutMs: 5000 });
    const parkedJoin = observe(gc.joinGroup(joinInput({ clientId: 'late' })));
    const parkedSync = gc.syncGroup({
      groupId: 'g1',
      generationId: 1,
      memberId: a.memberId,
      groupInstanceId: null,
      assignments: [],
    });
    expect(clock.pendingTimers).toBeGreaterThan(0);
    await gc.close();
    await flush();
    expect(parkedJoin.value?.errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect((await parkedSync).errorCode).toBe(E.REBALANCE_IN_PROGRESS); // aborted by the late joiner first
    expect(clock.pendingTimers).toBe(0);
    expect(hb(a)).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect((await gc.joinGroup(joinInput())).errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
  });
});
