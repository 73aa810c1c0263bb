import { GroupCoordinator } from './group-coordinator';
import type { OffsetCommitInput } from './group-api-types';
import { KafkaErrorCode as E } from './kafka-error-codes';
import { OffsetStore } from './offset-store';
import { FakeClock } from './testing/fake-clock';
import { joinInput, tempDir } from './testing/group-test-kit';

describe('GroupCoordinator offsets', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: OffsetStore;
  let clock: FakeClock;
  let gc: GroupCoordinator;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    store = await OffsetStore.open(dir);
    clock = new FakeClock();
    gc = new GroupCoordinator({ offsetStore: store, clock });
  });

  afterEach(async () => {
    await gc.close();
    await store.close();
    await cleanup();
  });

  const commit = (
    groupId: string,
    generationId: number,
    memberId: string,
    partitions: [number, bigint, string | null][],
  ): OffsetCommitInput => ({
    groupId,
    generationId,
    memberId,
    topics: [
      {
        name: 'events',
        partitions: partitions.map(([partitionIndex, committedOffset, committedMetadata]) => ({
          partitionIndex,
          committedOffset,
          committedMetadata,
        })),
      },
    ],
  });

  async function stableMember() {
    const joining = gc.joinGroup(joinInput());
    clock.advance(0);
    const j = await joining;
    await gc.syncGroup({
      groupId: 'g1',
      generationId: j.generationId,
      memberId: j.memberId,
      groupInstanceId: null,
      assignments: [],
    });
    return j;
  }

  it('commits for the current generation and fetches them back; unknown partitions are -1', async () => {
    const m = await stableMember();
    const out = await gc.commitOffsets(
      commit('g1', m.generationId, m.memberId, [
        [0, 100n, 'meta'],
        [1, 7n, null],
      ]),
    );
    expect(out.topics[0].partitions).toEqual([
      { partitionIndex: 0, errorCode: E.NONE },
      { partitionIndex: 1, errorCode: E.NONE },
    ]);
    expect(
      gc.fetchOffsets({
        groupId: 'g1',
        topics: [
          { name: 'events', partitionIndexes: [0, 1, 2] },
          { name: 'unknown', partitionIndexes: [0] },
        ],
      }),
    ).toEqual({
      errorCode: E.NONE,
      topics: [
        {
          name: 'events',
          partitions: [
            { partitionIndex: 0, committedOffset: 100n, metadata: 'meta', errorCode: E.NONE },
            { partitionIndex: 1, committedOffset: 7n, metadata: '', errorCode: E.NONE },
            { partitionIndex: 2, committedOffset: -1n, metadata: '', errorCode: E.NONE },
          ],
        },
        {
          name: 'unknown',
          partitions: [
            { partitionIndex: 0, committedOffset: -1n, metadata: '', errorCode: E.NONE },
          ],
        },
      ],
    });
    const all = gc.fetchOffsets({ groupId: 'g1', topics: null });
    expect(all.topics).toEqual([
      {
        name: 'events',
        partitions: expect.arrayContaining([
          expect.objectContaining({ partitionIndex: 0, committedOffset: 100n }),
        ]),
      },
    ]);
    expect(all.topics[0].partitions).toHaveLength(2);
  });

  it('accepts standalone commits (generation -1) for groups without members, and lists them', async () => {
    const out = await gc.commitOffsets(commit('simple', -1, '', [[0, 5n, null]]));
    expect(out.topics[0].partitions[0].errorCode).toBe(E.NONE);
    expect(
      gc.fetchOffsets({ groupId: 'simple', topics: null }).topics[0].partitions[0].committedOffset,
    ).toBe(5n);
    expect(gc.listGroups()).toEqual([{ groupId: 'simple', protocolType: '' }]);
    expect(gc.describeGroups(['simple'])[0].groupState).toBe('Empty');
  });

  it.each([
    [
      'a stale generation for a group that no longer exists',
      () => commit('gone', 3, 'm', [[0, 1n, null]]),
      E.ILLEGAL_GENERATION,
    ],
    [
      'generation -1 against a group with live members',
      () => commit('g1', -1, '', [[0, 1n, null]]),
      E.UNKNOWN_MEMBER_ID,
    ],
  ])('rejects %s', async (_name, input, code) => {
    await stableMember();
    const out = await gc.commitOffsets(input());
    expect(out.topics[0].partitions[0].errorCode).toBe(code);
    expect(store.groupIds()).toEqual([]);
  });

  it('answers REBALANCE_IN_PROGRESS to commits between join and sync', async () => {
    const joining = gc.joinGroup(joinInput());
    clock.advance(0);
    const j = await joining;
    const out = await gc.commitOffsets(commit('g1', j.generationId, j.memberId, [[0, 1n, null]]));
    expect(out.topics[0].partitions[0].errorCode).toBe(E.REBALANCE_IN_PROGRESS);
  });

  it('rejects only the partitions whose metadata is too large', async () => {
    const m = await stableMember();
    const out = await gc.commitOffsets(
      commit('g1', m.generationId, m.memberId, [
        [0, 1n, 'x'.repeat(4097)],
        [1, 2n, 'ok'],
      ]),
    );
    expect(out.topics[0].partitions.map((p) => p.errorCode)).toEqual([
      E.OFFSET_METADATA_TOO_LARGE,
      E.NONE,
    ]);
    expect(store.get('g1', 'events', 0)).toBeUndefined();
    expect(store.get('g1', 'events', 1)?.offset).toBe(2n);
  });

  it('keeps offsets across a full coordinator + store restart, while membership is forgotten', async () => {
    const m = await stableMember();
    await gc.commitOffsets(commit('g1', m.generationId, m.memberId, [[0, 123n, 'ckpt']]));
    await gc.close();
    await store.close();

    store = await OffsetStore.open(dir);
    gc = new GroupCoordinator({ offsetStore: store, clock });
    expect(
      gc.fetchOffsets({ groupId: 'g1', topics: [{ name: 'events', partitionIndexes: [0] }] })
        .topics[0].partitions[0],
    ).toMatchObject({ committedOffset: 123n, metadata: 'ckpt' });
    expect(
      gc.heartbeat({ groupId: 'g1', generationId: m.generationId, memberId: m.memberId }).errorCode,
    ).toBe(E.UNKNOWN_MEMBER_ID);
    const stale = await gc.commitOffsets(
      commit('g1', m.generationId, m.memberId, [[0, 999n, null]]),
    );
    expect(stale.topics[0].partitions[0].errorCode).toBe(E.ILLEGAL_GENERATION);
  });

  it('makes concurrent commits from many groups all durable', async () => {
    const outs = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        gc.commitOffsets(commit(`s${i}`, -1, '', [[i, BigInt(i), null]])),
      ),
    );
    expect(outs.every((o) => o.topics[0].partitions[0].errorCode === E.NONE)).toBe(true);
    await gc.close();
    await store.close();
    store = await OffsetStore.open(dir);
    gc = new GroupCoordinator({ offsetStore: store, clock });
    for (let i = 0; i < 30; i++) {
      expect(
        gc.fetchOffsets({ groupId: `s${i}`, topics: [{ name: 'events', partitionIndexes: [i] }] })
          .topics[0].partitions[0].committedOffset,
      ).toBe(BigInt(i));
    }
  });

  it('close waits for in-flight commits, and later commits are refused', async () => {
    const m = await stableMember();
    const inflight = gc.commitOffsets(commit('g1', m.generationId, m.memberId, [[0, 9n, null]]));
    await gc.close();
    expect(store.get('g1', 'events', 0)?.offset).toBe(9n);
    expect((await inflight).topics[0].partitions[0].errorCode).toBe(E.NONE);
    const late = await gc.commitOffsets(commit('simple', -1, '', [[0, 1n, null]]));
    expect(late.topics[0].partitions[0].errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
  });
});
