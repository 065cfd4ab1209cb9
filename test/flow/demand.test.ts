import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { map, take, tap } from 'rxjs';
import {
  asyncMap,
  asyncSink,
  asyncSinkValues,
  fromIterable,
  record,
  watermark,
  type StreamBatch,
} from '../../src/index.js';
import { unbatched } from '../../src/testing/index.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('demand through async boundaries (marbles)', () => {
  it('pulls the next batch only when the sink has room', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const pulls: number[] = [];
      const source = fromIterable([1, 2, 3, 4, 5, 6], { batchSize: 2, scheduler: ts });
      const out = source.pipe(
        tap(() => pulls.push(ts.now())),
        asyncSinkValues(() => cold('---|'), { concurrency: 1, bufferSize: 2, scheduler: ts }),
      );
      expectObservable(out).toBe('---a--b--(c|)', { a: [1, 2], b: [3, 4], c: [5, 6] });
      ts.flush();
      // Pulled at 0, then only when the write before completed (3 and 6): never ahead of the sink.
      expect(pulls).toEqual([0, 3, 6]);
    });
  });

  it('pulls ahead as far as the buffer bound allows, no further', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const pulls: [number, number[]][] = [];
      const source = fromIterable([1, 2, 3, 4, 5, 6, 7, 8], { batchSize: 2, scheduler: ts });
      const out = source.pipe(
        tap((b) => pulls.push([ts.now(), [...b]])),
        asyncSinkValues(() => cold('----|'), { concurrency: 1, bufferSize: 5, scheduler: ts }),
      );
      // One write per pulled batch, one write at a time.
      expectObservable(out).toBe('----a---b---c---d---(e|)', { a: [1, 2], b: [3, 4], c: [5], d: [6, 7], e: [8] });
      ts.flush();
      // Credit 5: batches of 2, 2, then 1 (the remaining credit); then one batch per freed write.
      expect(pulls).toEqual([
        [0, [1, 2]],
        [0, [3, 4]],
        [0, [5]],
        [4, [6, 7]],
        [8, [8]],
      ]);
    });
  });

  it('a synchronous pipeline with no bounded stage is pulled to the end in one turn', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const source = fromIterable(['a', 'b', 'c'], { batchSize: 1, scheduler: ts });
      expectObservable(source.pipe(map((b) => b.join('')))).toBe('(abc|)');
    });
  });

  it('demand flows through a chain: a full sink stops the async map, which stops the source', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const pulls: number[] = [];
      const elements = fromIterable([1, 2, 3, 4], { batchSize: 1, scheduler: ts }).pipe(
        tap(() => pulls.push(ts.now())),
        map((values): StreamBatch<number> => values.map((v) => record(v, v))),
      );
      const out = elements.pipe(
        asyncMap((v: number) => cold('-x|', { x: v * 10 }), { concurrency: 1, bufferSize: 1, scheduler: ts }),
        asyncSink(() => cold('-----|'), { concurrency: 1, bufferSize: 1, scheduler: ts }),
        unbatched(),
      );
      expectObservable(out).toBe('-------a----b----c----(dw|)', {
        a: record(10, 1),
        b: record(20, 2),
        c: record(30, 3),
        d: record(40, 4),
        w: watermark(Infinity),
      });
      ts.flush();
      // The map holds one record; while the sink writes (5 frames), the map's result waits in the map
      // and the source is not pulled: pulls follow the sink's pace.
      expect(pulls).toEqual([0, 2, 7, 12]);
    });
  });

  it('measures backpressured time per second from the scheduler', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      const source = fromIterable(
        Array.from({ length: 100 }, (_, i) => i),
        { batchSize: 10, scheduler: ts },
      );
      const samples: number[] = [];
      const totals: number[] = [];
      source.monitor
        .metrics(10)
        .pipe(take(7))
        .subscribe((m) => {
          samples.push(m.backPressuredTimeMsPerSecond);
          totals.push(m.recordsOut);
        });
      source.pipe(asyncSinkValues(() => cold('-----|'), { concurrency: 1, bufferSize: 10, scheduler: ts })).subscribe();
      ts.flush();
      // Ten writes of 5 ms, one batch of 10 at a time: the source waits for the sink the whole 50 ms
      // (1000 ms per second), and after its last pull at 45 ms it no longer waits.
      expect(samples).toEqual([1000, 1000, 1000, 1000, 500, 0, 0]);
      // Sampled at 10, 20, ...: writes complete at 5, 10, 15, ... (the sample at 10 runs first).
      expect(totals).toEqual([10, 30, 50, 70, 90, 100, 100]);
    });
  });
});
