import { describe, expect, it } from 'vitest';
import type { Observable } from 'rxjs';
import {
  boundedOutOfOrderness,
  memoryBackend,
  startCheckpointing,
  toValues,
  withEventTimeBatches,
} from '../../src/index.js';
import {
  markersOf,
  PulledSource,
  type PullResult,
  type Puller,
  type SourceCheckpointLink,
  type SourcePort,
} from '../../src/engine/index.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An async puller over 0..total-1 that records how many pulls are in flight at once: a second
 * `pull()` before the first settles is what interleaved the reads of `readTextFile`.
 */
function countingPuller(total: number, settle: () => Promise<void>) {
  const stats = { pulls: 0, inFlight: 0, maxInFlight: 0 };
  let next = 0;
  const open = (from: { index: number } | undefined): Puller<number, { index: number }> => {
    next = from?.index ?? 0;
    return {
      pull(max: number): Promise<PullResult<number>> {
        stats.pulls++;
        stats.inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
        return settle().then(() => {
          stats.inFlight--;
          // Reads from the shared cursor when the read completes, as a file handle would.
          const values: number[] = [];
          while (values.length < max && next < total) values.push(next++);
          return { values, done: next >= total };
        });
      },
      position: () => ({ index: next }),
    };
  };
  return { open, stats };
}

function run<T>(observable: Observable<T>, next: (value: T) => void = () => {}): Promise<void> {
  return new Promise((resolve, reject) => observable.subscribe({ next, error: reject, complete: () => resolve() }));
}

describe('PulledSource: one pull in flight', () => {
  it('a resume during an emit does not start a second loop while the next pull is in flight (hand-driven link)', async () => {
    const { open, stats } = countingPuller(20, () => sleep(5));
    const source = new PulledSource(open, { defaultBatchSize: 2, defaultName: 'counting' });
    let port: SourcePort | undefined;
    let finished = false;
    const link: SourceCheckpointLink = {
      id: 's',
      connect(p) {
        port = p;
        return () => {
          port = undefined;
        };
      },
      finishing() {
        finished = true;
        // The coordinator completes a finishing source after its final barrier; here, at once.
        queueMicrotask(() => port?.complete());
      },
    };
    const values: number[] = [];
    await run(source.withCheckpoints(link), (batch) => {
      if (markersOf(batch) !== undefined) return;
      values.push(...batch);
      // As the coordinator does when the last source reaches a barrier: resume, while the batch is
      // being delivered. The loop goes on after this emit (and pulls); the wake-up it schedules must not pull too.
      port!.pause();
      port!.resume();
    });
    expect(finished).toBe(true);
    expect(stats.maxInFlight).toBe(1);
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('a checkpointed pipeline (interval 1 ms) over an async puller never has two pulls in flight', async () => {
    const total = 400;
    const { open, stats } = countingPuller(total, () => sleep(1));
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'pulled' }), interval: 1 });
    const source = new PulledSource(open, {
      defaultBatchSize: 4,
      defaultName: 'counting',
      from: checkpoints.position<{ index: number }>('s'),
    });
    const values: number[] = [];
    await run(
      checkpoints
        .source('s', source)
        .pipe(
          withEventTimeBatches({ timestamp: (v: number) => v, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
          toValues(),
        ),
      (v) => values.push(v),
    );
    await checkpoints.whenFinished();
    // Barriers reached the source while pulls were in flight: their resume came during an emit.
    expect(checkpoints.stats.completed).toBeGreaterThan(2);
    expect(stats.maxInFlight).toBe(1);
    expect(values).toEqual(Array.from({ length: total }, (_, i) => i));
  });
});

describe('PulledSource: yieldAfterMs bounds a run of async pulls', () => {
  it('an async puller whose promises settle at once lets a timer run before it has read everything', async () => {
    const total = 100_000;
    let next = 0;
    let pulledWhenTimerRan: number | undefined;
    const source = new PulledSource<number, { index: number }>(
      () => ({
        pull(): Promise<PullResult<number>> {
          if (next === 0) {
            // A timer set when reading starts (a checkpoint trigger, a watermark period).
            setTimeout(() => {
              pulledWhenTimerRan = next;
            }, 0);
          }
          const value = next++;
          return Promise.resolve({ values: [value], done: next >= total });
        },
        position: () => ({ index: next }),
      }),
      { defaultBatchSize: 1, defaultName: 'buffered', yieldAfterMs: 5 },
    );
    let count = 0;
    await run(source, (batch) => {
      count += batch.length;
    });
    expect(count).toBe(total);
    expect(pulledWhenTimerRan).toBeDefined();
    expect(pulledWhenTimerRan!).toBeLessThan(total);
  });
});
