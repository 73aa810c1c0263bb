import { randomBytes, randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { murmur2, Murmur2Partitioner } from './murmur2-partitioner';

// kafkajs' own (Long-based) hash, the reference the fast one must equal bit for bit.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (
  key: Buffer | string,
) => number;

describe('murmur2', () => {
  it.each([
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from([0xff])],
    ['two bytes', Buffer.from([0x80, 0x01])],
    ['three bytes', Buffer.from([0x01, 0x80, 0xff])],
    ['four high bytes', Buffer.from([0xff, 0xff, 0xff, 0xff])],
    ['a trace id', Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736')],
    ['utf-8', Buffer.from('trace-é-☃')],
  ])('%s: equals kafkajs', (_name, data) => {
    expect(murmur2(data)).toBe(kafkajsMurmur2(data));
  });

  it('equals kafkajs on 20,000 random keys of every length 0–99', () => {
    for (let i = 0; i < 20_000; i += 1) {
      const data = i % 2 === 0 ? randomBytes(i % 100) : Buffer.from(randomUUID().repeat(i % 3));
      expect(murmur2(data)).toBe(kafkajsMurmur2(data));
    }
  });
});

describe('Murmur2Partitioner', () => {
  const metadata = (n: number) =>
    Array.from({ length: n }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));

  it.each([1, 3, 6, 12, 100])('picks the partition kafkajs would on %i partitions', (n) => {
    const fast = Murmur2Partitioner();
    const reference = Partitioners.DefaultPartitioner();
    for (let i = 0; i < 2_000; i += 1) {
      const args = {
        topic: 't',
        partitionMetadata: metadata(n),
        message: { key: i % 2 ? randomUUID() : randomBytes(16), value: 'v' },
      };
      expect(fast(args)).toBe(reference(args));
    }
  });

  it('keeps an explicit partition and spreads unkeyed messages over the partitions', () => {
    const fast = Murmur2Partitioner();
    expect(
      fast({
        topic: 't',
        partitionMetadata: metadata(6),
        message: { key: 'k', value: 'v', partition: 4 },
      }),
    ).toBe(4);
    const picked = new Set(
      Array.from({ length: 60 }, () =>
        fast({ topic: 't', partitionMetadata: metadata(6), message: { value: 'v' } }),
      ),
    );
    expect(picked.size).toBe(6);
  });
});
