import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { JoinGroupInput } from '../group-api-types';
import { OffsetStore } from '../offset-store';

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'agentmon-coordinator-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function openTempStore(): Promise<{
  store: OffsetStore;
  dir: string;
  cleanup: () => Promise<void>;
}> {
  const { dir, cleanup } = await tempDir();
  const store = await OffsetStore.open(dir);
  return {
    store,
    dir,
    cleanup: async () => {
      await store.close();
      await cleanup();
    },
  };
}

export function joinInput(overrides: Partial<JoinGroupInput> = {}): JoinGroupInput {
  return {
    groupId: 'g1',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
    requireKnownMemberId: false,
    ...overrides,
  };
}

/** Observes a promise without awaiting it, so tests can assert it is still parked. */
export function observe<T>(p: Promise<T>): {
  readonly settled: boolean;
  readonly value: T | undefined;
} {
  const state = { settled: false, value: undefined as T | undefined };
  void p.then((v) => {
    state.settled = true;
    state.value = v;
  });
  return state;
}

/** Lets already-resolved promise callbacks run. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
