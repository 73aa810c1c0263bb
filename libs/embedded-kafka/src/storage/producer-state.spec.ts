import { ErrorCode } from '../protocol/error-codes';
import { ProducerStateTable } from './producer-state';

describe('ProducerStateTable', () => {
  it('appends in-order batches, recognises retried ones and rejects gaps', () => {
    const t = new ProducerStateTable();
    expect(t.check(7, 0, 0, 5)).toEqual({ kind: 'append' });
    t.record(7, 0, 0, 5, 100);
    expect(t.check(7, 0, 5, 3)).toEqual({ kind: 'append' });
    t.record(7, 0, 5, 3, 105);
    expect(t.check(7, 0, 0, 5)).toEqual({ kind: 'duplicate', baseOffset: 100 });
    expect(t.check(7, 0, 5, 3)).toEqual({ kind: 'duplicate', baseOffset: 105 });
    expect(t.check(7, 0, 9, 1)).toEqual({
      kind: 'error',
      errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    });
    expect(t.check(7, 0, 8, 1)).toEqual({ kind: 'append' });
  });

  it('handles epochs and non-idempotent batches', () => {
    const t = new ProducerStateTable();
    t.record(1, 2, 0, 1, 0);
    expect(t.check(1, 1, 1, 1)).toEqual({
      kind: 'error',
      errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
    });
    expect(t.check(1, 3, 0, 1)).toEqual({ kind: 'append' });
    expect(t.check(1, 3, 4, 1)).toEqual({
      kind: 'error',
      errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    });
    expect(t.check(-1, -1, -1, 10)).toEqual({ kind: 'append' });
    expect(t.maxProducerId()).toBe(1);
  });

  it('forgets all but the last five batches, still never re-appending older ones', () => {
    const t = new ProducerStateTable();
    for (let i = 0; i < 8; i++) t.record(3, 0, i, 1, i);
    expect(t.check(3, 0, 7, 1)).toEqual({ kind: 'duplicate', baseOffset: 7 });
    expect(t.check(3, 0, 1, 1)).toEqual({
      kind: 'error',
      errorCode: ErrorCode.DUPLICATE_SEQUENCE_NUMBER,
    });
  });
});
