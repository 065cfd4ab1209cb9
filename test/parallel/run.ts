/** Runs a segment in parallel or on one thread over the same events, for the parallel tests. */
import { firstValueFrom, tap, toArray, type Observable } from 'rxjs';
import {
  asyncMap,
  boundedOutOfOrderness,
  fromIterable,
  keyBy,
  toRecords,
  toValues,
  withEventTimeBatches,
  withMetrics,
  type PipelineMetrics,
} from '../../src/index.js';
import type { StreamBatch, StreamRecord } from '../../src/core/elements.js';
import { keyGroupRangeForSubtask } from '../../src/core/key-group-assignment.js';
import { nodeWorkers } from '../../src/node/index.js';
import { parallel, type ParallelOptions, type Segment } from '../../src/parallel/index.js';
import { failing, type Event } from './segments.js';

/** Events over `keys` keys, slightly out of order, deterministic. */
export function events(count: number, keys: number): Event[] {
  const out: Event[] = [];
  let seed = 7;
  for (let i = 0; i < count; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    out.push({ key: `k${seed % keys}`, n: 1 + (seed % 5), at: i * 37 - (seed % 300) + 300 });
  }
  return out;
}

function keyed(input: readonly Event[], batchSize: number): Observable<StreamBatch<Event, string>> {
  return fromIterable(input, { batchSize }).pipe(
    withEventTimeBatches({ timestamp: (e: Event) => e.at, watermarks: boundedOutOfOrderness(300) }),
    keyBy((e: Event) => e.key),
  );
}

/** The records a segment emits, in a canonical order (subtasks interleave), as text. */
function canonical(records: readonly StreamRecord<unknown, unknown>[]): string[] {
  return records.map((r) => `${r.timestamp} ${JSON.stringify(r.value)}`).sort();
}

/** Runs `segment` at `parallelism` in Node workers. */
export async function runParallel(
  segment: Segment<Event, string, unknown>,
  input: readonly Event[],
  options: Partial<ParallelOptions> & { parallelism: number },
): Promise<string[]> {
  const records = await firstValueFrom(
    keyed(input, 50).pipe(parallel(segment, { workers: nodeWorkers(), ...options }), toRecords(), toArray()),
  );
  return canonical(records);
}

/** Runs `segment` on this thread, as one subtask owning every key group. */
export async function runHere(segment: Segment<Event, string, unknown>, input: readonly Event[]): Promise<string[]> {
  const info = { subtask: 0, parallelism: 1, maxParallelism: 128, keyGroups: keyGroupRangeForSubtask(128, 1, 0) };
  const records = await firstValueFrom(segment.build(keyed(input, 50), info).pipe(toRecords(), toArray()));
  return canonical(records);
}

/** A pipeline whose async stage after `parallel` holds every record until `open()`: what the backpressure tests stall. */
export interface Stalled {
  /** Settles when the pipeline completed. */
  readonly done: Promise<void>;
  /** Records the source has read so far. */
  read(): number;
  /** Records that reached the async stage. */
  requests(): number;
  /** Records that left the pipeline. */
  results(): number;
  /** Lets the held records through. */
  open(): void;
}

/**
 * Runs `input` through `keyBy` → `parallel(failing)` at parallelism 2 (credits 2, bufferSize 500) →
 * an async stage that waits for `open()`; with `metrics`, under `withMetrics`.
 */
export function stalledPipeline(input: readonly Event[], metrics?: PipelineMetrics): Stalled {
  let read = 0;
  let results = 0;
  let requests = 0;
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const source = fromIterable(input, { batchSize: 100 }).pipe(
    tap((batch) => {
      read += batch.length;
    }),
  );
  const done = new Promise<void>((resolve, reject) =>
    (metrics === undefined ? source : source.pipe(withMetrics(metrics, { name: 'events' })))
      .pipe(
        withEventTimeBatches({ timestamp: (e: Event) => e.at, watermarks: boundedOutOfOrderness(300) }),
        keyBy((e: Event) => e.key),
        parallel(failing, { workers: nodeWorkers(), parallelism: 2, credits: 2, bufferSize: 500 }),
        asyncMap(
          (e: Event) => {
            requests++;
            return gate.then(() => e);
          },
          { concurrency: 10, bufferSize: 100 },
        ),
        toValues(),
      )
      .subscribe({ next: () => results++, error: reject, complete: () => resolve() }),
  );
  return { done, read: () => read, requests: () => requests, results: () => results, open: () => open() };
}
