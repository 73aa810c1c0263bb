import type { DecodedRecord } from '@agentmon/kafka';
import { RecordUnitsStage, type RecordUnit } from './record-units-stage';
import { RetryPolicy } from './retry-policy';
import type { RawTopicInput } from './stage';
import { StageRunner } from './stage-runner';

const input: RawTopicInput<string> = {
  topic: 'runner-spec',
  decode: (wire) => ({ ok: true, value: String(wire.value) }),
};

/** Records every unit it is handed and every commit it is told of. */
class RecordingStage extends RecordUnitsStage<typeof input, RecordUnit> {
  readonly input = input;
  readonly written: string[] = [];
  readonly commits: [number, bigint][] = [];

  protected toUnit(partition: number, record: DecodedRecord<string>): RecordUnit {
    return { partition, offset: record.offset, key: record.key };
  }

  async write(units: readonly RecordUnit[]): Promise<void> {
    for (const unit of units) this.written.push(`${unit.partition}@${unit.offset}`);
  }

  deadLetters(): [] {
    return [];
  }

  committed(partition: number, offset: bigint): void {
    this.commits.push([partition, offset]);
  }
}

function records(...offsets: number[]): DecodedRecord<string>[] {
  return offsets.map((offset) => ({ offset: String(offset), key: null, timestamp: 0, value: '' }));
}

function runner(commit: (partition: number, offset: string) => Promise<void> = async () => {}) {
  const stage = new RecordingStage();
  const run = new StageRunner(
    stage,
    { commit, publishDeadLetters: async () => {}, heartbeat: async () => {} },
    new RetryPolicy({ initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 3 }),
  );
  return { stage, run };
}

describe('StageRunner.heldCount: records fetched again that the stage already holds', () => {
  it.each([
    // [what happened, batches handed before (offsets), batch end offsets, fetched again, held]
    ['nothing handed yet on the partition', [], [], [0, 1, 2], 0],
    ['a rejoin resumes from the committed start', [[0, 1, 2, 3]], [], [0, 1, 2, 3, 4], 4],
    ['a failed batch is fetched again whole', [[5, 6, 7]], [], [5, 6, 7], 3],
    ['the next batch, nothing held', [[0, 1]], [], [2, 3], 0],
    ['held up to the end past dead-lettered records', [[0, 1]], [5n], [2, 3, 4, 5], 3],
    ['a compacted gap: held by offset, not by count', [[0, 4, 9]], [], [4, 9, 12], 2],
  ] as const)('%s', (_what, handed, endOffsets, fetched, held) => {
    const { run } = runner();
    handed.forEach((offsets, i) => {
      void run.handle({ partition: 0, records: records(...offsets), endOffset: endOffsets[i] });
    });
    expect(run.heldCount(0, fetched.map(String))).toBe(held);
  });

  it('holds nothing of a partition once a rebalance took it away (its state is gone)', () => {
    const { run } = runner();
    void run.handle({ partition: 0, records: records(0, 1, 2) });
    void run.handle({ partition: 1, records: records(0, 1) });
    run.retainPartitions([1]);
    expect([run.heldCount(0, ['0', '1', '2']), run.heldCount(1, ['0', '1'])]).toEqual([0, 2]);
  });
});

describe('StageRunner commits', () => {
  it('tells the stage each committed offset, and not one that failed', async () => {
    let refuse = true;
    const { stage, run } = runner(async () => {
      if (refuse) throw new Error('The coordinator is not aware of this member');
    });
    await run.handle({ partition: 0, records: records(0, 1) });
    expect(stage.commits).toEqual([]);
    refuse = false;
    await run.handle({ partition: 0, records: records(2) });
    expect(stage.commits).toEqual([[0, 3n]]);
    expect(stage.written).toEqual(['0@0', '0@1', '0@2']);
  });
});
