import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { OffsetLogCorruptError } from './offset-log-record';
import { OffsetStore } from './offset-store';
import { tempDir } from './testing/group-test-kit';

describe('OffsetStore', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const open: OffsetStore[] = [];

  const openStore = async (options = {}) => {
    const store = await OffsetStore.open(dir, options);
    open.push(store);
    return store;
  };

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await cleanup();
  });

  const entry = (
    topic: string,
    partition: number,
    offset: bigint,
    metadata: string | null = null,
  ) => ({ topic, partition, offset, metadata });

  it('round-trips offsets across close and reopen, including huge offsets, null and unicode metadata', async () => {
    const store = await openStore();
    await store.put('g', [entry('t', 0, 9_007_199_254_740_993n, 'ünïcødé ✓'), entry('t', 1, 0n)]);
    await store.put('g', [entry('t', 0, 10n, 'later')]);
    await store.put('other', [entry('u', 3, 42n)]);
    await store.close();

    const reopened = await openStore();
    expect(reopened.get('g', 't', 0)).toEqual({ offset: 10n, metadata: 'later' });
    expect(reopened.get('g', 't', 1)).toEqual({ offset: 0n, metadata: null });
    expect(reopened.get('g', 't', 2)).toBeUndefined();
    expect(reopened.groupOffsets('other')).toEqual([entry('u', 3, 42n)]);
    expect(reopened.groupIds().sort()).toEqual(['g', 'other']);
  });

  it.each([
    ['a half-written record', '{"v":1,"g":"g","o":[["t",0,"99"'],
    ['a complete record missing its newline', '{"v":1,"g":"g","o":[["t",0,"99",null]]}'],
    ['a garbage final line', '\u0000\u0000garbage\n'],
  ])('ignores a torn tail (%s) and keeps appending cleanly after it', async (_name, tail) => {
    const store = await openStore();
    await store.put('g', [entry('t', 0, 5n)]);
    await store.close();
    await appendFile(store.filePath, tail);

    const recovered = await openStore();
    expect(recovered.get('g', 't', 0)).toEqual({ offset: 5n, metadata: null });
    await recovered.put('g', [entry('t', 1, 7n)]);
    await recovered.close();

    const again = await openStore();
    expect(again.get('g', 't', 0)?.offset).toBe(5n);
    expect(again.get('g', 't', 1)?.offset).toBe(7n);
  });

  it('refuses to open a log corrupted in the middle', async () => {
    const store = await openStore();
    await store.put('g', [entry('t', 0, 5n)]);
    await store.close();
    const good = await readFile(store.filePath, 'utf8');
    await writeFile(store.filePath, 'not json\n' + good);
    await expect(OffsetStore.open(dir)).rejects.toBeInstanceOf(OffsetLogCorruptError);
  });

  it('makes every concurrent put durable, sharing fsyncs between them', async () => {
    const store = await openStore();
    const puts = Array.from({ length: 50 }, (_, i) =>
      store.put(`g${i % 5}`, [entry('t', i, BigInt(i * 1000))]),
    );
    await Promise.all(puts);
    expect(store.syncCount).toBeGreaterThan(0);
    expect(store.syncCount).toBeLessThan(50);
    await store.close();

    const reopened = await openStore();
    for (let i = 0; i < 50; i++)
      expect(reopened.get(`g${i % 5}`, 't', i)?.offset).toBe(BigInt(i * 1000));
  });

  it('compacts a mostly superseded log on open without losing the latest offsets', async () => {
    const store = await openStore();
    for (let i = 0; i < 200; i++) await store.put('g', [entry('t', i % 2, BigInt(i))]);
    await store.close();
    const before = (await stat(store.filePath)).size;

    const compacted = await openStore({ compactThresholdBytes: 1024 });
    const after = (await stat(compacted.filePath)).size;
    expect(after).toBeLessThan(before / 10);
    expect(compacted.get('g', 't', 0)?.offset).toBe(198n);
    expect(compacted.get('g', 't', 1)?.offset).toBe(199n);
    await compacted.put('g', [entry('t', 0, 500n)]);
    await compacted.close();

    const reopened = await openStore({ compactThresholdBytes: 1024 });
    expect(reopened.get('g', 't', 0)?.offset).toBe(500n);
    expect(reopened.get('g', 't', 1)?.offset).toBe(199n);
  });

  it('discards a half-finished compaction file from a crash', async () => {
    const store = await openStore();
    await store.put('g', [entry('t', 0, 1n)]);
    await store.close();
    const leftover = path.join(dir, path.basename(store.filePath) + '.compacting');
    await writeFile(leftover, 'partial');
    const reopened = await openStore();
    expect(reopened.get('g', 't', 0)?.offset).toBe(1n);
    await expect(stat(leftover)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects puts after close', async () => {
    const store = await openStore();
    await store.close();
    await expect(store.put('g', [entry('t', 0, 1n)])).rejects.toThrow(/closed/);
  });
});
