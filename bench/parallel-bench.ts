/**
 * `npm run bench -- parallel`: a keyed segment on one thread against the same segment in 1 and 2
 * worker subtasks (docs/parallel.md). Each figure is the time of a whole run minus the time of a run
 * of 1 record (worker start-up), reported as ratios against the one-thread run of the same process.
 */
import { firstValueFrom, last, type Observable } from 'rxjs';
import { loadavg, uptime } from 'node:os';
import { fromIterable, keyBy, monotonousTimestamps, withEventTimeBatches } from '../src/index.js';
import type { StreamBatch } from '../src/core/elements.js';
import { keyGroupRangeForSubtask } from '../src/core/key-group-assignment.js';
import { nodeWorkers } from '../src/node/index.js';
import { parallel, type Segment } from '../src/parallel/index.js';
import { calibrate, heavy, light, type BenchEvent } from './parallel-segments.js';

const events = (n: number): BenchEvent[] => Array.from({ length: n }, (_, i) => ({ key: i % 1000, at: i }));

function keyed(n: number): Observable<StreamBatch<BenchEvent, number>> {
  return fromIterable(events(n), { batchSize: 1000 }).pipe(
    withEventTimeBatches({ timestamp: (e: BenchEvent) => e.at, watermarks: monotonousTimestamps() }),
    keyBy((e: BenchEvent) => e.key),
  );
}

async function timed(run: () => Observable<unknown>): Promise<number> {
  const start = performance.now();
  await firstValueFrom(run().pipe(last(undefined, null)));
  return performance.now() - start;
}

async function measure(segment: Segment<BenchEvent, number, unknown>, n: number): Promise<void> {
  const info = { subtask: 0, parallelism: 1, maxParallelism: 128, keyGroups: keyGroupRangeForSubtask(128, 1, 0) };
  const here = await timed(() => segment.build(keyed(n), info));
  const rows: string[] = [`one thread: ${(n / here).toFixed(0)} records/ms`];
  for (const parallelism of [1, 2]) {
    const inWorkers = (count: number) => () =>
      keyed(count).pipe(parallel(segment, { workers: nodeWorkers(), parallelism }));
    const startup = await timed(inWorkers(1));
    const total = await timed(inWorkers(n));
    const steady = Math.max(1, total - startup);
    rows.push(
      `parallelism ${parallelism}: ${(n / steady).toFixed(0)} records/ms, ${(here / steady).toFixed(2)}× one thread (start-up ${startup.toFixed(0)} ms)`,
    );
  }
  for (const row of rows) console.log(`  ${segment.name}: ${row}`);
}

/** Runs the parallel bench and prints its ratios. */
export async function runParallelBench(): Promise<void> {
  console.log(
    `  uptime: ${uptime().toFixed(0)} s, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`  heavy: ${calibrate()} spin rounds per record (about 5 µs here), the same on every thread`);
  // Long enough that the steady part (seconds) outweighs the noise of the start-up subtracted from it.
  await measure(heavy as Segment<BenchEvent, number, unknown>, 2_000_000);
  await measure(light, 500_000);
}
