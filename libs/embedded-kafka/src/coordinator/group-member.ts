import type {
  GroupProtocol,
  JoinGroupInput,
  JoinGroupOutput,
  SyncGroupOutput,
} from './group-api-types';
import type { ArmedTimer } from './timer-set';

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

export type MemberSettings = Pick<
  JoinGroupInput,
  | 'groupInstanceId'
  | 'clientId'
  | 'clientHost'
  | 'sessionTimeoutMs'
  | 'rebalanceTimeoutMs'
  | 'protocolType'
  | 'protocols'
>;

// Buffers from the wire may be views into a reused request buffer; keep private copies.
const copyProtocols = (protocols: GroupProtocol[]): GroupProtocol[] =>
  protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));

/** One group member plus the requests it has parked in the coordinator (JoinGroup / SyncGroup). */
export class GroupMember {
  groupInstanceId: string | null = null;
  clientId = '';
  clientHost = '';
  sessionTimeoutMs = 0;
  rebalanceTimeoutMs = 0;
  protocolType = '';
  protocols: GroupProtocol[] = [];
  assignment: Buffer = EMPTY_BUFFER;
  /** Joined during the current rebalance and has never received a JoinGroup result. */
  isNew = true;
  sessionTimer: ArmedTimer | undefined;
  // Arrays, not single slots: a client that re-sends a request while the first is parked gets the
  // same answer on both instead of leaving one hanging.
  private joinWaiters: ((out: JoinGroupOutput) => void)[] = [];
  private syncWaiters: ((out: SyncGroupOutput) => void)[] = [];

  constructor(
    readonly memberId: string,
    settings: MemberSettings,
  ) {
    this.update(settings);
  }

  update(settings: MemberSettings): void {
    this.groupInstanceId = settings.groupInstanceId;
    this.clientId = settings.clientId;
    this.clientHost = settings.clientHost;
    this.sessionTimeoutMs = settings.sessionTimeoutMs;
    this.rebalanceTimeoutMs = settings.rebalanceTimeoutMs;
    this.protocolType = settings.protocolType;
    this.protocols = copyProtocols(settings.protocols);
  }

  get isAwaitingJoin(): boolean {
    return this.joinWaiters.length > 0;
  }

  get isAwaitingSync(): boolean {
    return this.syncWaiters.length > 0;
  }

  awaitJoin(): Promise<JoinGroupOutput> {
    return new Promise((resolve) => this.joinWaiters.push(resolve));
  }

  awaitSync(): Promise<SyncGroupOutput> {
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  completeJoin(out: JoinGroupOutput): boolean {
    const waiters = this.joinWaiters;
    this.joinWaiters = [];
    for (const resolve of waiters) resolve(out);
    return waiters.length > 0;
  }

  completeSync(out: SyncGroupOutput): boolean {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const resolve of waiters) resolve(out);
    return waiters.length > 0;
  }

  protocolNames(): string[] {
    return this.protocols.map((p) => p.name);
  }

  metadataFor(protocolName: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_BUFFER;
  }

  /** Same protocols, same order, same bytes — a rejoin that changes nothing. */
  matches(protocols: GroupProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every(
        (p, i) =>
          p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata),
      )
    );
  }
}
