/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
// Every advertised version that kafkajs also implements, encoded and decoded by kafkajs' own
// per-version protocol modules: catches version-conditional field mistakes in our codecs that the
// client's negotiated (highest) version would never exercise.
import { EmbeddedBroker, startEmbeddedBroker } from '../embedded-broker';
import { registerAllHandlers } from '../handlers/register-all-handlers';
import { HandlerRegistry } from '../server/handler-registry';
import { ApiKey } from '../protocol/api-keys';
import { RawKafkaClient } from './raw-kafka-client';
import { makeTempDir, removeTempDirs } from './temp-dir';

const createRequest = require('kafkajs/src/protocol/request') as (
  o: object,
) => Promise<{ buffer: Buffer }>;
const requestsDir = 'kafkajs/src/protocol/requests';
const ranges = new Map(
  registerAllHandlers(new HandlerRegistry())
    .ranges()
    .map((r) => [r.apiKey, r]),
);

interface Protocol {
  request: any;
  response: { decode(b: Buffer): Promise<any>; parse(d: any): Promise<any> };
}

function kafkajsVersions(dir: string, apiKey: number): number[] {
  const mod = require(`${requestsDir}/${dir}`) as { versions: string[] };
  const r = ranges.get(apiKey)!;
  return mod.versions.map(Number).filter((v) => v >= r.minVersion && v <= r.maxVersion);
}

describe('every advertised version kafkajs implements round-trips through kafkajs codecs', () => {
  let broker: EmbeddedBroker;
  let client: RawKafkaClient;
  let corr = 0;

  async function call(dir: string, version: number, args: object, parse = true): Promise<any> {
    const mod = require(`${requestsDir}/${dir}`) as {
      protocol(o: { version: number }): (a: object) => Protocol;
    };
    const { request, response } = mod.protocol({ version })(args);
    const frame = await createRequest({ correlationId: ++corr, clientId: 'versions', request });
    client.write(Buffer.from(frame.buffer));
    const { correlationId, r } = await client.next(15_000);
    expect(correlationId).toBe(corr);
    const decoded = await response.decode(r.buf.subarray(r.offset));
    return parse ? response.parse(decoded) : decoded;
  }

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      dataDir: makeTempDir(),
      autoCreateTopics: true,
      defaultPartitions: 2,
    });
    client = await RawKafkaClient.connect(broker.port);
  });
  afterAll(async () => {
    client.close();
    await broker.close();
    removeTempDirs();
  });

  it('covers a meaningful number of versions', () => {
    const total = [
      ['apiVersions', ApiKey.ApiVersions],
      ['metadata', ApiKey.Metadata],
      ['produce', ApiKey.Produce],
      ['fetch', ApiKey.Fetch],
      ['joinGroup', ApiKey.JoinGroup],
    ].reduce((n, [d, k]) => n + kafkajsVersions(d as string, k as number).length, 0);
    expect(total).toBeGreaterThanOrEqual(25);
  });

  it('ApiVersions, CreateTopics, Metadata, Produce, Fetch, ListOffsets, DeleteTopics, InitProducerId', async () => {
    for (const v of kafkajsVersions('apiVersions', ApiKey.ApiVersions)) {
      const res = await call('apiVersions', v, {});
      expect(res.apiVersions.find((a: any) => a.apiKey === ApiKey.Fetch)).toMatchObject({
        minVersion: 4,
        maxVersion: 11,
      });
    }
    for (const v of kafkajsVersions('createTopics', ApiKey.CreateTopics)) {
      await call('createTopics', v, {
        topics: [{ topic: `pv-create-${v}`, numPartitions: 3, replicationFactor: 1 }],
        timeout: 1000,
      });
    }
    for (const v of kafkajsVersions('metadata', ApiKey.Metadata)) {
      const res = await call('metadata', v, {
        topics: ['pv-create-0', 'pv'],
        allowAutoTopicCreation: true,
      });
      expect(res.brokers[0]).toMatchObject({ nodeId: 0, host: '127.0.0.1', port: broker.port });
      const byName = Object.fromEntries(
        res.topicMetadata.map((t: any) => [t.topic, t.partitionMetadata.length]),
      );
      expect({ v, byName }).toEqual({ v, byName: { 'pv-create-0': 3, pv: 2 } });
    }
    let produced = 0;
    for (const v of kafkajsVersions('produce', ApiKey.Produce)) {
      const res = await call('produce', v, {
        acks: -1,
        timeout: 5000,
        topicData: [
          {
            topic: 'pv',
            partitions: [
              {
                partition: 0,
                firstSequence: 0,
                messages: [{ key: `k${v}`, value: `produce-v${v}` }],
              },
            ],
          },
        ],
      });
      expect(res.topics[0].partitions[0]).toMatchObject({
        partition: 0,
        errorCode: 0,
        baseOffset: String(produced),
      });
      produced++;
    }
    expect(produced).toBe(5);
    for (const v of kafkajsVersions('fetch', ApiKey.Fetch)) {
      const res = await call('fetch', v, {
        replicaId: -1,
        maxWaitTime: 100,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 1,
        topics: [
          { topic: 'pv', partitions: [{ partition: 0, fetchOffset: '1', maxBytes: 1 << 20 }] },
        ],
      });
      const p = res.responses[0].partitions[0];
      expect({
        v,
        hw: p.highWatermark,
        values: p.messages.map((m: any) => m.value.toString()),
      }).toEqual({
        v,
        hw: '5',
        values: ['produce-v4', 'produce-v5', 'produce-v6', 'produce-v7'],
      });
    }
    for (const v of kafkajsVersions('listOffsets', ApiKey.ListOffsets)) {
      const res = await call('listOffsets', v, {
        replicaId: -1,
        isolationLevel: 1,
        topics: [
          {
            topic: 'pv',
            partitions: [
              { partition: 0, timestamp: -1 },
              { partition: 1, timestamp: -2 },
            ],
          },
        ],
      });
      expect(res.responses[0].partitions.map((p: any) => p.offset)).toEqual(['5', '0']);
    }
    for (const v of kafkajsVersions('initProducerId', ApiKey.InitProducerId)) {
      const res = await call('initProducerId', v, {
        transactionalId: null,
        transactionTimeout: 1000,
      });
      expect(Number(res.producerId)).toBeGreaterThan(0);
    }
    for (const v of kafkajsVersions('deleteTopics', ApiKey.DeleteTopics)) {
      await call('deleteTopics', v, { topics: [`pv-create-${v}`], timeout: 1000 });
    }
  });

  it('FindCoordinator and the group APIs, including OffsetCommit/OffsetFetch', async () => {
    for (const v of kafkajsVersions('findCoordinator', ApiKey.FindCoordinator)) {
      const res = await call('findCoordinator', v, {
        groupId: 'pv-g',
        coordinatorKey: 'pv-g',
        coordinatorType: 0,
      });
      expect(res.coordinator).toMatchObject({ nodeId: 0, port: broker.port });
    }
    for (const v of kafkajsVersions('joinGroup', ApiKey.JoinGroup)) {
      const groupId = `pv-join-${v}`;
      const args = {
        groupId,
        sessionTimeout: 10_000,
        rebalanceTimeout: 10_000,
        protocolType: 'consumer',
        groupProtocols: [{ name: 'rr', metadata: Buffer.from('meta') }],
      };
      let join = await call('joinGroup', v, { ...args, memberId: '' }, false);
      if (v >= 4) {
        expect(join.errorCode).toBe(79);
        join = await call('joinGroup', v, { ...args, memberId: join.memberId }, false);
      }
      expect({
        v,
        errorCode: join.errorCode,
        leader: join.leaderId === join.memberId,
        protocol: join.groupProtocol,
      }).toEqual({ v, errorCode: 0, leader: true, protocol: 'rr' });
      expect(join.members.map((m: any) => m.memberMetadata.toString())).toEqual(['meta']);
      const sv = Math.min(v, 3);
      const sync = await call('syncGroup', sv, {
        groupId,
        generationId: join.generationId,
        memberId: join.memberId,
        groupAssignment: [{ memberId: join.memberId, memberAssignment: Buffer.from('assigned') }],
      });
      expect(sync.memberAssignment.toString()).toBe('assigned');
      await call('heartbeat', sv, {
        groupId,
        groupGenerationId: join.generationId,
        memberId: join.memberId,
      });
      const ocv = kafkajsVersions('offsetCommit', ApiKey.OffsetCommit);
      await call('offsetCommit', ocv[v % ocv.length], {
        groupId,
        groupGenerationId: join.generationId,
        memberId: join.memberId,
        retentionTime: -1,
        topics: [{ topic: 'pv', partitions: [{ partition: 1, offset: String(10 + v) }] }],
      });
      const ofv = kafkajsVersions('offsetFetch', ApiKey.OffsetFetch);
      const fetched = await call('offsetFetch', ofv[v % ofv.length], {
        groupId,
        topics: [{ topic: 'pv', partitions: [{ partition: 1 }] }],
      });
      expect(fetched.responses[0].partitions[0]).toMatchObject({
        partition: 1,
        offset: String(10 + v),
      });
      for (const dv of kafkajsVersions('describeGroups', ApiKey.DescribeGroups)) {
        const d = await call('describeGroups', dv, { groupIds: [groupId] });
        expect(d.groups[0]).toMatchObject({
          groupId,
          state: 'Stable',
          protocolType: 'consumer',
          protocol: 'rr',
        });
        expect(d.groups[0].members[0].memberAssignment.toString()).toBe('assigned');
      }
      const lv = Math.min(v, 3);
      await call('leaveGroup', lv, {
        groupId,
        memberId: join.memberId,
        members: [{ memberId: join.memberId }],
      });
    }
    for (const v of kafkajsVersions('listGroups', ApiKey.ListGroups)) {
      const res = await call('listGroups', v, {});
      expect(res.groups.map((g: any) => g.groupId)).toEqual(
        expect.arrayContaining(['pv-join-0', 'pv-join-5']),
      );
    }
  });
});
