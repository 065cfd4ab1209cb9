import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { lastValueFrom, map, take, toArray } from 'rxjs';
import { ReadableStream } from 'node:stream/web';
import {
  asyncSinkValues,
  fromAsyncIterable,
  fromIterable,
  fromReadableStream,
  InvalidOptionError,
} from '../../src/index.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('pulled sources', () => {
  it('fromIterable: an array in batches, pulled on the scheduler, with its position', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const source = fromIterable([1, 2, 3, 4, 5], { batchSize: 2, scheduler: ts });
      // No bounded stage downstream: a slow start (1, then 2 = batchSize) and no waiting.
      expectObservable(source).toBe('(abc|)', { a: [1], b: [2, 3], c: [4, 5] });
      ts.flush();
      expect(source.position).toEqual({ index: 5 });
    });
  });

  it('fromIterable: resumes from a position; a generator is read only as far as demanded', async () => {
    expect(
      (await lastValueFrom(fromIterable(['a', 'b', 'c', 'd'], { from: { index: 3 } }).pipe(toArray()))).flat(),
    ).toEqual(['d']);
    let produced = 0;
    function* endless(): Generator<number> {
      for (let i = 0; ; i++) {
        produced++;
        yield i;
      }
    }
    const source = fromIterable(endless(), { batchSize: 10, from: { index: 5 } });
    const firstTwo = await lastValueFrom(source.pipe(take(2), toArray()));
    // Slow start (1, 2, ...) before a bounded stage is known; resume skipped 5.
    expect(firstTwo.flat()).toEqual([5, 6, 7]);
    expect(produced).toBeLessThanOrEqual(5 + 3 + 1);
    expect(() => fromIterable([1], { batchSize: 0 })).toThrow(InvalidOptionError);
    expect(() => fromIterable([1], { from: { index: -1 } })).toThrow(/from.index/);
  });

  it('fromAsyncIterable: calls next() only when the sink has room', async () => {
    let produced = 0;
    let maxAhead = 0;
    let written = 0;
    async function* gen(): AsyncGenerator<number> {
      for (let i = 0; i < 40; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - written);
        yield i;
      }
    }
    const out = await lastValueFrom(
      fromAsyncIterable(gen(), { batchSize: 2 }).pipe(
        asyncSinkValues(
          (b) =>
            new Promise<void>((r) =>
              setTimeout(() => {
                written += b.length;
                r();
              }, 1),
            ),
          { concurrency: 1, bufferSize: 4 },
        ),
        toArray(),
      ),
    );
    expect(out.flat()).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // The sink holds 4; one more value may be in the generator's hands as the pull that fills it.
    expect(maxAhead).toBeLessThanOrEqual(5);
  });

  it('fromReadableStream: reads chunks on demand, keeps the position, and cancels on unsubscribe', async () => {
    let pulls = 0;
    let cancelled = false;
    const stream = new ReadableStream<string>(
      {
        pull(controller) {
          pulls++;
          controller.enqueue(`chunk-${pulls}`);
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 1 },
    );
    const source = fromReadableStream(stream, { batchSize: 1 });
    const got = await lastValueFrom(
      source.pipe(
        take(3),
        map((b) => b[0]),
        toArray(),
      ),
    );
    expect(got).toEqual(['chunk-1', 'chunk-2', 'chunk-3']);
    expect(source.position).toEqual({ index: 3 });
    await new Promise((r) => setTimeout(r, 5));
    expect(cancelled).toBe(true);
    // The stream's own queue (highWaterMark 1) plus what we read: it was never pulled far ahead.
    expect(pulls).toBeLessThanOrEqual(5);
    expect(() => fromReadableStream({} as never)).toThrow(/getReader/);
  });

  it('fromReadableStream: a finite stream completes', async () => {
    const stream = new ReadableStream<number>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(i);
        controller.close();
      },
    });
    expect((await lastValueFrom(fromReadableStream(stream, { batchSize: 2 }).pipe(toArray()))).flat()).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });
});
