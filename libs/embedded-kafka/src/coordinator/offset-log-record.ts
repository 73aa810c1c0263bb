// One line of the committed-offset log: a whole commit batch for one group, as JSON.
// Offsets are bigint, so they travel as decimal strings.

export interface CommittedOffset {
  offset: bigint;
  metadata: string | null;
}

export interface OffsetEntry extends CommittedOffset {
  topic: string;
  partition: number;
}

export interface OffsetLogRecord {
  groupId: string;
  entries: OffsetEntry[];
}

const FORMAT_VERSION = 1;
const NEWLINE = 0x0a;

type WireEntry = [topic: string, partition: number, offset: string, metadata: string | null];

export function encodeOffsetRecord(record: OffsetLogRecord): string {
  const o: WireEntry[] = record.entries.map((e) => [
    e.topic,
    e.partition,
    e.offset.toString(),
    e.metadata,
  ]);
  return JSON.stringify({ v: FORMAT_VERSION, g: record.groupId, o }) + '\n';
}

function decodeEntry(raw: unknown): OffsetEntry {
  if (!Array.isArray(raw) || raw.length !== 4) throw new Error('bad entry');
  const [topic, partition, offset, metadata] = raw as unknown[];
  if (typeof topic !== 'string') throw new Error('bad topic');
  if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0)
    throw new Error('bad partition');
  if (typeof offset !== 'string' || !/^-?\d+$/.test(offset)) throw new Error('bad offset');
  if (metadata !== null && typeof metadata !== 'string') throw new Error('bad metadata');
  return { topic, partition, offset: BigInt(offset), metadata };
}

/** Throws on anything that is not a complete, well-formed record. */
export function decodeOffsetRecord(line: string): OffsetLogRecord {
  const raw = JSON.parse(line) as { v?: unknown; g?: unknown; o?: unknown };
  if (raw === null || typeof raw !== 'object') throw new Error('not an object');
  if (raw.v !== FORMAT_VERSION) throw new Error(`unsupported record version ${String(raw.v)}`);
  if (typeof raw.g !== 'string' || !Array.isArray(raw.o)) throw new Error('bad record');
  return { groupId: raw.g, entries: raw.o.map(decodeEntry) };
}

export class OffsetLogCorruptError extends Error {
  constructor(filePath: string, byteOffset: number, cause: unknown) {
    super(`corrupt committed-offset record in ${filePath} at byte ${byteOffset}: ${String(cause)}`);
    this.name = 'OffsetLogCorruptError';
  }
}

export interface ParsedOffsetLog {
  records: OffsetLogRecord[];
  /** Length of the prefix made of complete, valid records; anything after it is a torn tail. */
  validBytes: number;
}

/**
 * Replays the log. Only the final record can be torn by a crash (every earlier one was fsynced
 * before the next was written), so an unterminated or unparsable last line is dropped; an invalid
 * record followed by more data is real corruption and throws.
 */
export function parseOffsetLog(buf: Buffer, filePath: string): ParsedOffsetLog {
  const records: OffsetLogRecord[] = [];
  let start = 0;
  while (start < buf.length) {
    const end = buf.indexOf(NEWLINE, start);
    if (end === -1) break;
    try {
      if (end > start) records.push(decodeOffsetRecord(buf.toString('utf8', start, end)));
    } catch (err) {
      if (end + 1 >= buf.length) break;
      throw new OffsetLogCorruptError(filePath, start, err);
    }
    start = end + 1;
  }
  return { records, validBytes: start };
}
