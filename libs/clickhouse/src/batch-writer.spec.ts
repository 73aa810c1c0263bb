import { BatchSink, ClickHouseBatchWriter, isTransientClickHouseError } from './batch-writer';

class RecordingSink implements BatchSink<{ n: number }> {
  inserts: { n: number }[][] = [];
  failuresLeft = 0;
  failure = new Error('connect ECONNREFUSED 127.0.0.1:1');
  async insert(_table: string, rows: readonly { n: number }[]): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw this.failure;
    }
    this.inserts.push([...rows]);
  }
}

const base = {
  table: 't',
  maxRows: 3,
  flushIntervalMs: 20,
  maxBufferedRows: 10,
  retryAttempts: 4,
  retryStartingDelayMs: 1,
};
const rows = (...ns: number[]) => ns.map((n) => ({ n }));

describe('ClickHouseBatchWriter', () => {
  it('flushes on size, in order, and resolves writers only after the insert', async () => {
    const sink = new RecordingSink();
    const writer = new ClickHouseBatchWriter(sink, base);
    const first = writer.write(rows(1, 2));
    expect(sink.inserts).toEqual([]);
    await Promise.all([first, writer.write(rows(3))]);
    expect(sink.inserts).toEqual([rows(1, 2, 3)]);
  });

  it('flushes on the interval when the batch stays small', async () => {
    const sink = new RecordingSink();
    const writer = new ClickHouseBatchWriter(sink, base);
    await writer.write(rows(7));
    expect(sink.inserts).toEqual([rows(7)]);
  });

  it('splits oversized writes into maxRows inserts', async () => {
    const sink = new RecordingSink();
    const writer = new ClickHouseBatchWriter(sink, base);
    await writer.write(rows(1, 2, 3, 4, 5, 6, 7));
    expect(sink.inserts.map((insert) => insert.length)).toEqual([3, 3, 1]);
  });

  it('retries transient failures without losing rows', async () => {
    const sink = new RecordingSink();
    sink.failuresLeft = 2;
    const retries: number[] = [];
    const writer = new ClickHouseBatchWriter(sink, {
      ...base,
      onRetry: (e) => retries.push(e.attempt),
    });
    await writer.write(rows(1, 2, 3));
    expect(sink.inserts).toEqual([rows(1, 2, 3)]);
    expect(retries).toEqual([1, 2]);
  });

  it('rejects the writers of a batch that fails permanently, so they do not commit', async () => {
    const sink = new RecordingSink();
    sink.failuresLeft = 1;
    sink.failure = new Error('Code: 62, e.displayText() = DB::Exception: Syntax error');
    const writer = new ClickHouseBatchWriter(sink, base);
    await expect(writer.write(rows(1, 2, 3))).rejects.toThrow(/Syntax error/);
    await writer.write(rows(4, 5, 6));
    expect(sink.inserts).toEqual([rows(4, 5, 6)]);
  });

  it('applies back-pressure instead of buffering past maxBufferedRows', async () => {
    const sink = new RecordingSink();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    sink.insert = async (_t, r) => {
      await gate;
      sink.inserts.push([...r]);
    };
    const writer = new ClickHouseBatchWriter(sink, {
      ...base,
      maxRows: 100,
      maxBufferedRows: 4,
      flushIntervalMs: 1,
    });
    const a = writer.write(rows(1, 2, 3, 4));
    let bAccepted = false;
    const b = writer.write(rows(5)).then(() => (bAccepted = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(writer.bufferedRows).toBe(4);
    expect(bAccepted).toBe(false);
    release();
    await Promise.all([a, b]);
    expect(sink.inserts.flat()).toEqual(rows(1, 2, 3, 4, 5));
  });

  it('flushes what is buffered on close', async () => {
    const sink = new RecordingSink();
    const writer = new ClickHouseBatchWriter(sink, { ...base, flushIntervalMs: 60000 });
    const pending = writer.write(rows(9));
    await writer.close();
    await pending;
    expect(sink.inserts).toEqual([rows(9)]);
    await expect(writer.write(rows(1))).rejects.toThrow(/closed/);
  });

  it.each([
    ['connect ECONNREFUSED 127.0.0.1:8123', true],
    ['Timeout error.', true],
    ['Code: 252, Too many parts', true],
    ['Code: 62, Syntax error', false],
    ['Code: 60, Table x does not exist', false],
  ])('classifies "%s" as transient=%p', (message, transient) => {
    expect(isTransientClickHouseError(new Error(message))).toBe(transient);
  });
});
