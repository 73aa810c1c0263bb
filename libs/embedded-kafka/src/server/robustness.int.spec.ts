import { EmbeddedBroker, startEmbeddedBroker } from '../embedded-broker';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaReader } from '../protocol/kafka-reader';
import { RawKafkaClient } from '../test/raw-kafka-client';
import { makeTempDir, removeTempDirs } from '../test/temp-dir';

const apiVersionsV0 = (corr: number): Buffer =>
  RawKafkaClient.request(ApiKey.ApiVersions, 0, corr, () => undefined);

function readApiVersions(r: KafkaReader): {
  errorCode: number;
  keys: Map<number, [number, number]>;
} {
  const errorCode = r.int16();
  const keys = new Map<number, [number, number]>();
  r.array((x) => keys.set(x.int16(), [x.int16(), x.int16()]), 6);
  return { errorCode, keys };
}

describe('broker robustness (raw sockets)', () => {
  let broker: EmbeddedBroker;
  const warnings: object[] = [];
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    error: (o: object) => warnings.push(o),
    warn: (o: object) => warnings.push(o),
  };

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      dataDir: makeTempDir(),
      autoCreateTopics: true,
      maxRequestBytes: 1024 * 1024,
      logger,
    });
  });
  afterAll(async () => {
    await broker.close();
    removeTempDirs();
  });

  /** The broker must still answer a fresh client after each abuse. */
  async function assertHealthy(): Promise<void> {
    const c = await RawKafkaClient.connect(broker.port);
    c.write(apiVersionsV0(99));
    const { correlationId, r } = await c.next();
    expect(correlationId).toBe(99);
    expect(readApiVersions(r).errorCode).toBe(0);
    c.close();
  }

  it('answers ApiVersions v3 (flexible) with UNSUPPORTED_VERSION in the v0 body format listing ranges', async () => {
    const c = await RawKafkaClient.connect(broker.port);
    c.write(RawKafkaClient.request(ApiKey.ApiVersions, 3, 7, (w) => w.int8(0)));
    const { correlationId, r } = await c.next();
    expect(correlationId).toBe(7);
    const { errorCode, keys } = readApiVersions(r);
    expect(errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(keys.get(ApiKey.ApiVersions)).toEqual([0, 2]);
    expect(keys.get(ApiKey.Produce)).toEqual([3, 7]);
    expect(keys.get(ApiKey.Fetch)).toEqual([4, 11]);
    expect(r.remaining).toBe(0);
    c.close();
  });

  it.each([
    ['a negative frame size', Buffer.from([0xff, 0xff, 0xff, 0xf0])],
    ['a frame larger than maxRequestBytes', Buffer.from([0x7f, 0, 0, 0])],
    ['an unknown api key', RawKafkaClient.request(999, 0, 1, () => undefined)],
    ['an unsupported version', RawKafkaClient.request(ApiKey.Produce, 0, 1, () => undefined)],
    ['a truncated header', Buffer.from([0, 0, 0, 9, 0, 18, 0, 0, 0, 0, 0, 1, 0xff])],
    [
      'a string length lying past the frame',
      RawKafkaClient.request(ApiKey.Metadata, 1, 1, (w) => w.int32(1).int16(3000)),
    ],
    [
      'an array count lying about its size',
      RawKafkaClient.request(ApiKey.Metadata, 1, 1, (w) => w.int32(100_000_000)),
    ],
    [
      'a produce with a lying records length',
      RawKafkaClient.request(ApiKey.Produce, 3, 1, (w) =>
        w
          .nullableString(null)
          .int16(1)
          .int32(1000)
          .int32(1)
          .string('t')
          .int32(1)
          .int32(0)
          .int32(1 << 30),
      ),
    ],
  ])('closes the connection on %s and keeps serving others', async (_name, bytes) => {
    const c = await RawKafkaClient.connect(broker.port);
    c.write(bytes);
    expect(await c.waitClosed()).toBe(true);
    await assertHealthy();
  });

  it('logs the peer of a bad frame', () => {
    expect(warnings.some((w) => typeof (w as { peer?: unknown }).peer === 'string')).toBe(true);
  });

  it('does not buffer more than the announced frame: a partial oversize frame is refused up front', async () => {
    const c = await RawKafkaClient.connect(broker.port);
    const head = Buffer.alloc(4);
    head.writeInt32BE(50 * 1024 * 1024);
    c.write(head);
    expect(await c.waitClosed()).toBe(true);
  });

  it('corrupt record batches get CORRUPT_MESSAGE, not a crash', async () => {
    const c = await RawKafkaClient.connect(broker.port);
    c.write(
      RawKafkaClient.request(ApiKey.Metadata, 4, 1, (w) => w.int32(1).string('robust').bool(true)),
    );
    await c.next();
    const junk = Buffer.alloc(80, 0x33);
    c.write(
      RawKafkaClient.request(ApiKey.Produce, 3, 2, (w) =>
        w
          .nullableString(null)
          .int16(1)
          .int32(1000)
          .int32(1)
          .string('robust')
          .int32(1)
          .int32(0)
          .bytes(junk),
      ),
    );
    const { correlationId, r } = await c.next();
    expect(correlationId).toBe(2);
    r.int32();
    expect(r.string()).toBe('robust');
    r.int32();
    expect(r.int32()).toBe(0);
    expect(r.int16()).toBe(ErrorCode.CORRUPT_MESSAGE);
    c.close();
  });

  it('answers pipelined requests in order even when the first one long-polls', async () => {
    const c = await RawKafkaClient.connect(broker.port);
    c.write(
      RawKafkaClient.request(ApiKey.Metadata, 4, 1, (w) =>
        w.int32(1).string('pipelined').bool(true),
      ),
    );
    await c.next();
    const fetch = RawKafkaClient.request(ApiKey.Fetch, 4, 10, (w) =>
      w
        .int32(-1)
        .int32(400)
        .int32(1)
        .int32(1 << 20)
        .int8(0)
        .int32(1)
        .string('pipelined')
        .int32(1)
        .int32(0)
        .int64(0)
        .int32(1 << 20),
    );
    const started = Date.now();
    c.write(Buffer.concat([fetch, apiVersionsV0(11), apiVersionsV0(12)]));
    const order = [
      (await c.next()).correlationId,
      (await c.next()).correlationId,
      (await c.next()).correlationId,
    ];
    expect(order).toEqual([10, 11, 12]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    c.close();
  });

  it('reassembles requests split at every byte boundary', async () => {
    const c = await RawKafkaClient.connect(broker.port);
    const bytes = Buffer.concat([apiVersionsV0(21), apiVersionsV0(22)]);
    for (const b of bytes) {
      c.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    expect((await c.next()).correlationId).toBe(21);
    expect((await c.next()).correlationId).toBe(22);
    c.close();
  });

  it('serves hundreds of concurrent connections', async () => {
    const clients = await Promise.all(
      Array.from({ length: 300 }, () => RawKafkaClient.connect(broker.port)),
    );
    clients.forEach((c, i) => c.write(apiVersionsV0(i)));
    const ids = await Promise.all(clients.map(async (c) => (await c.next(15000)).correlationId));
    expect(ids).toEqual(clients.map((_, i) => i));
    clients.forEach((c) => c.close());
  });
});

describe('broker memory: total in-flight request bytes across connections', () => {
  const CAP = 1024 * 1024;
  let broker: EmbeddedBroker;

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      dataDir: makeTempDir(),
      maxRequestBytes: 900 * 1024,
      maxInflightBytes: CAP,
    });
  });
  afterAll(async () => {
    await broker.close();
    removeTempDirs();
  });

  const waitUntil = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  };

  it('holds at most the cap of partial frames, stops reading the rest, resumes as they drain', async () => {
    // Five peers each announce an 800 KiB frame and send part of it (the probe that took RSS
    // from 273 to 608 MB). Only one frame fits under a 1 MiB cap; the others are not read.
    const peers = await Promise.all(
      Array.from({ length: 5 }, () => RawKafkaClient.connect(broker.port)),
    );
    for (const peer of peers) {
      const head = Buffer.alloc(4);
      head.writeInt32BE(800 * 1024, 0);
      peer.socket.write(Buffer.concat([head, Buffer.alloc(64 * 1024)]));
    }
    await waitUntil(() => broker.inflightBytes === 800 * 1024);
    await new Promise((r) => setTimeout(r, 100));
    expect(broker.inflightBytes).toBe(800 * 1024);
    // Peers going away hand the reservation on: whichever peer is left last holds its frame.
    for (const peer of peers.slice(0, 4)) peer.close();
    await new Promise((r) => setTimeout(r, 100));
    await waitUntil(() => broker.inflightBytes === 800 * 1024);
    peers[4].close();
    await waitUntil(() => broker.inflightBytes === 0);
  });

  it('still serves small requests once the budget drained, and answers each in-flight byte back', async () => {
    const c = await RawKafkaClient.connect(broker.port);
    for (let i = 0; i < 20; i += 1) c.write(apiVersionsV0(i));
    for (let i = 0; i < 20; i += 1) expect((await c.next()).correlationId).toBe(i);
    await waitUntil(() => broker.inflightBytes === 0);
    c.close();
  });
});
