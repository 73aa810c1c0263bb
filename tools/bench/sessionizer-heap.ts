import { TraceAssembler } from '@agentmon/sessionizer-domain';
import { benchTraces, spanRecordsOnly } from './bench-spans';

function settledHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i += 1) gc();
  return process.memoryUsage().heapUsed;
}

/** Heap held per span while its trace is open (no trace_end yet), measured after full GCs. */
export function heapBytesPerOpenSpan(traceCount = 20_000, spansPerTrace = 10): number {
  const spans = spanRecordsOnly(benchTraces(traceCount, spansPerTrace));
  const assembler = new TraceAssembler({
    maxOpenTraces: traceCount * 2,
    inactivityTimeoutMs: 3_600_000,
    rootGraceMs: 3_600_000,
  });
  const before = settledHeap();
  let offset = 0n;
  const now = Date.now();
  for (const record of spans) assembler.ingest(record, { partition: 0, offset: offset++ }, now);
  const after = settledHeap();
  const open = assembler.openSpanCount;
  if (open !== spans.length)
    throw new Error(`expected ${spans.length} open spans, assembler holds ${open}`);
  // The records themselves are referenced by the assembler; `spans` keeps them alive anyway, so
  // the delta is the assembler's own structures plus nothing else.
  const perSpan = (after - before) / open;
  return perSpan + spanPayloadBytes(spans);
}

/** Retained size of one decoded span record, which a consumer holds for its open trace. */
function spanPayloadBytes(spans: ReturnType<typeof spanRecordsOnly>): number {
  const sample = spans.slice(0, 2000);
  const before = settledHeap();
  const copies = sample.map((record) => JSON.parse(JSON.stringify(record)) as unknown);
  const after = settledHeap();
  if (copies.length !== sample.length) throw new Error('unreachable');
  return (after - before) / sample.length;
}
