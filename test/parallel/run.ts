/** Runs a segment in parallel or on one thread over the same events, for the parallel tests. */
import { firstValueFrom, toArray, type Observable } from 'rxjs';
import { boundedOutOfOrderness, fromIterable, keyBy, toRecords, withEventTimeBatches } from '../../src/index.js';
import type { StreamBatch, StreamRecord } from '../../src/core/elements.js';
import { keyGroupRangeForSubtask } from '../../src/core/key-group-assignment.js';
import { nodeWorkers } from '../../src/node/index.js';
import { parallel, type ParallelOptions, type Segment } from '../../src/parallel/index.js';
import type { Event } from './segments.js';

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
