/**
 * Flow benchmark (issue 6).
 *  (1) Throughput: a pulled source (fromIterable over an array) feeding a synchronous pipeline
 *      (records, mapValues, filterValues) and a fast synchronous sink, against the same pipeline fed
 *      by the plain array sliced into the same batches in one synchronous loop. Target: ratio >= 0.9.
 *  (2) Memory: peak heap while 1,000,000 and 10,000,000 records flow from a generator through the
 *      pipeline into an async sink (bounded buffer): the peak should not grow with the input.
 * Run on its own with `node --expose-gc --import tsx bench/flow-bench.ts`.
 */
import { lastValueFrom, map, Observable } from 'rxjs';
import { record, type StreamBatch } from '../src/core/elements.js';
import { filterValues } from '../src/stream/filterValues.js';
import { mapValues } from '../src/stream/mapValues.js';
import { fromIterable } from '../src/sources/fromIterable.js';
import { asyncSink } from '../src/sinks/asyncSink.js';

const BATCH = 10_000;

export interface FlowBenchResult {
  readonly records: number;
  readonly plainArrayMs: number;
  readonly pulledMs: number;
  /** Pulled throughput / plain-array throughput. */
  readonly ratio: number;
  readonly peakHeapMB1M: number;
  readonly peakHeapMB10M: number;
  /** Peak heap at 10M / at 1M. */
  readonly memoryGrowth: number;
}

const toRecords = map((values: readonly number[]): StreamBatch<number> => {
  const out = new Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = record(values[i]!, values[i]!);
  return out;
});

/** The synchronous pipeline under test, ending in a fast sink; resolves to its checksum. */
function runPipeline(input: Observable<readonly number[]>): Promise<number> {
  let sum = 0;
  return new Promise((resolve, reject) => {
    input
      .pipe(
        toRecords,
        mapValues((v: number) => v * 2),
        filterValues((v: number) => v % 3 !== 0),
      )
      .subscribe({
        next: (batch) => {
          for (let i = 0; i < batch.length; i++) {
            const e = batch[i]!;
            if (e.kind === 'record') sum += e.value;
          }
        },
        error: reject,
        complete: () => resolve(sum),
      });
  });
}

/** The baseline: the array sliced into the same batches, pushed in one synchronous loop. */
function plainArray(array: readonly number[]): Observable<readonly number[]> {
  return new Observable((subscriber) => {
    for (let i = 0; i < array.length && !subscriber.closed; i += BATCH) subscriber.next(array.slice(i, i + BATCH));
    subscriber.complete();
  });
}

async function time(run: () => Promise<number>): Promise<{ ms: number; checksum: number }> {
  const start = performance.now();
  const checksum = await run();
  return { ms: performance.now() - start, checksum };
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function peakHeap(records: number): Promise<number> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  function* numbers(): Generator<number> {
    for (let i = 0; i < records; i++) yield i;
  }
  let stored = 0;
  let writes = 0;
  await lastValueFrom(
    fromIterable(numbers(), { batchSize: BATCH }).pipe(
      toRecords,
      mapValues((v: number) => v + 1),
      asyncSink(
        (values) => {
          stored += values.length;
          // The live heap (after a full GC) every 20 writes: what the pipeline retains, not garbage.
          if (++writes % 20 === 0) {
            gc();
            const used = process.memoryUsage().heapUsed;
            if (used > peak) peak = used;
          }
          return Promise.resolve();
        },
        { concurrency: 2, bufferSize: 4 * BATCH },
      ),
    ),
    { defaultValue: [] },
  );
  if (stored !== records) throw new Error(`lost records: ${stored} of ${records}`);
  return (peak - base) / (1024 * 1024);
}

export async function runFlowBench(log: (line: string) => void = console.log): Promise<FlowBenchResult> {
  const records = 10_000_000;
  const array = Array.from({ length: records }, (_, i) => i);
  // Warm up both paths, then alternate and keep the median of 5.
  await runPipeline(plainArray(array.slice(0, 500_000)));
  await runPipeline(fromIterable(array.slice(0, 500_000), { batchSize: BATCH }));
  const plain: number[] = [];
  const pulled: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    gc();
    const a = await time(() => runPipeline(plainArray(array)));
    gc();
    const b = await time(() => runPipeline(fromIterable(array, { batchSize: BATCH })));
    if (a.checksum !== b.checksum) throw new Error(`checksums differ: ${a.checksum} vs ${b.checksum}`);
    plain.push(a.ms);
    pulled.push(b.ms);
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const plainArrayMs = median(plain);
  const pulledMs = median(pulled);
  const ratio = plainArrayMs / pulledMs;
  log(
    `flow: ${records.toLocaleString('en')} records, batch ${BATCH}: plain array ${plainArrayMs.toFixed(0)} ms (${(((records / plainArrayMs) * 1000) / 1e6).toFixed(1)} M/s), pulled source ${pulledMs.toFixed(0)} ms (${(((records / pulledMs) * 1000) / 1e6).toFixed(1)} M/s), ratio ${ratio.toFixed(3)} (target >= 0.9)`,
  );
  const peakHeapMB1M = await peakHeap(1_000_000);
  const peakHeapMB10M = await peakHeap(10_000_000);
  const memoryGrowth = peakHeapMB10M / Math.max(peakHeapMB1M, 0.001);
  log(
    `flow: peak live heap (after GC) above baseline through a bounded async sink: 1M records ${peakHeapMB1M.toFixed(1)} MB, 10M records ${peakHeapMB10M.toFixed(1)} MB (x${memoryGrowth.toFixed(2)})`,
  );
  return { records, plainArrayMs, pulledMs, ratio, peakHeapMB1M, peakHeapMB10M, memoryGrowth };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runFlowBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
