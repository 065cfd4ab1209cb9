/**
 * Credits joined with the pulled sources' demand: a slow stage behind the workers stops the source
 * (docs/parallel.md, docs/architecture.md §5).
 */
import { describe, expect, it } from 'vitest';
import { tap } from 'rxjs';
import {
  asyncMap,
  boundedOutOfOrderness,
  fromIterable,
  keyBy,
  toValues,
  withEventTimeBatches,
} from '../../src/index.js';
import { nodeWorkers } from '../../src/node/index.js';
import { parallel } from '../../src/parallel/index.js';
import { events } from './run.js';
import { failing, type Event } from './segments.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('parallel: backpressure', () => {
  it('a stalled async stage after parallel stops the pulled source; releasing it delivers everything', async () => {
    const input = events(50_000, 40);
    let read = 0;
    let results = 0;
    let requests = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const done = new Promise<void>((resolve, reject) =>
      fromIterable(input, { batchSize: 100 })
        .pipe(
          tap((batch) => {
            read += batch.length;
          }),
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
    while (requests < 10) await sleep(20); // the workers started and the async stage is stalled
    await sleep(2_000); // its buffer, the credits and the stage's queue fill up
    const readWhileStalled = read;
    await sleep(1_000);
    expect(read).toBe(readWhileStalled); // the source is paused
    expect(read).toBeLessThan(10_000); // bounded: buffers and credits, not the whole input
    open();
    await done;
    expect(results).toBe(input.length);
  });
});
