import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { firstValueFrom, map, type Observable, of, tap, timer, toArray } from 'rxjs';
import fc from 'fast-check';
import {
  AsyncRequestError,
  AsyncTimeoutError,
  asyncMap,
  asyncMapValues,
  BufferOverflowError,
  fromIterable,
  InvalidOptionError,
  record,
  watermark,
  type StreamBatch,
  type StreamElement,
} from '../../src/index.js';
import { batched, unbatched } from '../../src/testing/index.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const barrier = (checkpointId: number): StreamElement<never> => ({ kind: 'barrier', checkpointId });

/** A pulled source of element batches (one element per batch), so the async stage is paced. */
function pulledElements<T>(elements: StreamElement<T>[], ts: TestScheduler, batchSize = 1): Observable<StreamBatch<T>> {
  return fromIterable(elements, { batchSize, scheduler: ts });
}

describe('asyncMap (Flink async I/O)', () => {
  it('ordered: results in input order, the watermark behind the records it covers', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      // Latency by value: 'a' is slow, 'b' fast.
      const latency: Record<string, string> = { a: '----(x|)', b: '-(x|)', c: '--(x|)' };
      const input = pulledElements([record('a', 1), record('b', 2), watermark(2), record('c', 3)], ts, 10);
      const out = input.pipe(
        asyncMap((v: string) => cold(latency[v]!, { x: v.toUpperCase() }), { concurrency: 10, scheduler: ts }),
        unbatched(),
      );
      expectObservable(out).toBe('----(abwce|)', {
        a: record('A', 1),
        b: record('B', 2),
        w: watermark(2),
        c: record('C', 3),
        e: watermark(Infinity),
      });
    });
  });

  it('unordered: records overtake each other only between watermarks', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const latency: Record<string, string> = { a: '----(x|)', b: '-(x|)', c: '(x|)', d: '--(x|)' };
      const input = pulledElements(
        [record('a', 1), record('b', 2), watermark(2), record('c', 3), record('d', 4)],
        ts,
        10,
      );
      const out = input.pipe(
        asyncMap((v: string) => cold(latency[v]!, { x: v.toUpperCase() }), {
          concurrency: 10,
          ordered: false,
          scheduler: ts,
        }),
        unbatched(),
      );
      // B overtakes A; C completes at once but waits behind the watermark, which waits for A.
      expectObservable(out).toBe('-b--(awcde|)', {
        a: record('A', 1),
        b: record('B', 2),
        w: watermark(2),
        c: record('C', 3),
        d: record('D', 4),
        e: watermark(Infinity),
      });
    });
  });

  it('a checkpoint barrier waits for the requests in flight before it (the checkpoint includes their results)', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const latency: Record<string, string> = { a: '---(x|)', b: '-(x|)', c: '(x|)' };
      const input = pulledElements<string>([record('a', 1), record('b', 2), barrier(7), record('c', 3)], ts, 10);
      for (const ordered of [true, false]) {
        const out = input.pipe(
          asyncMap((v: string) => cold(latency[v]!, { x: v.toUpperCase() }), {
            concurrency: 10,
            ordered,
            scheduler: ts,
          }),
          unbatched(),
        );
        expectObservable(out).toBe(ordered ? '---(abkce|)' : '-b-(akce|)', {
          a: record('A', 1),
          b: record('B', 2),
          k: barrier(7),
          c: record('C', 3),
          e: watermark(Infinity),
        });
      }
    });
  });

  it('keeps at most `concurrency` requests in flight and pulls no more than `bufferSize` records', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      let inFlight = 0;
      let peak = 0;
      const pulls: number[] = [];
      const input = fromIterable(
        [1, 2, 3, 4, 5, 6].map((v) => record(v, v)),
        { batchSize: 10, scheduler: ts },
      ).pipe(tap((b) => pulls.push(b.length)));
      const seen: string[] = [];
      input
        .pipe(
          asyncMap(
            (v: number) => {
              inFlight++;
              peak = Math.max(peak, inFlight);
              return cold('--(x|)', { x: v }).pipe(tap({ complete: () => inFlight-- }));
            },
            { concurrency: 2, bufferSize: 3, scheduler: ts },
          ),
          unbatched(),
        )
        .subscribe((e) => seen.push(`${ts.now()}:${e.kind === 'record' ? e.value : e.kind}`));
      ts.flush();
      expect(peak).toBe(2);
      expect(seen).toEqual(['2:1', '2:2', '4:3', '4:4', '6:5', '6:6', '6:watermark']);
      // Credit 3 first; then as records leave, as much as they freed.
      expect(pulls).toEqual([3, 2, 1]);
    });
  });

  it('offers credit only once a quarter of the buffer is free, so pulls do not shrink to one record', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      const pulls: number[] = [];
      fromIterable(
        Array.from({ length: 16 }, (_, i) => record(i, i)),
        { batchSize: 8, scheduler: ts },
      )
        .pipe(
          tap((b) => pulls.push(b.length)),
          // Record i completes at frame i + 1: one record freed per frame.
          asyncMap((v: number) => cold(`${'-'.repeat(v + 1)}(x|)`, { x: v }), {
            concurrency: 8,
            bufferSize: 8,
            scheduler: ts,
          }),
        )
        .subscribe();
      ts.flush();
      expect(pulls).toEqual([8, 2, 2, 2, 2]);
    });
  });

  it('a timeout fails with AsyncTimeoutError naming the record, or uses the timeout handler', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const input = pulledElements([record('slow', 1)], ts);
      const failing = input.pipe(
        asyncMap(() => cold('-----(x|)', { x: 1 }), { timeout: 3, scheduler: ts, name: 'lookup' }),
        unbatched(),
      );
      expectObservable(failing).toBe(
        '---#',
        undefined,
        expect.objectContaining({ name: 'AsyncTimeoutError', element: 'slow', timeout: 3, stage: 'lookup' }),
      );
      const handled = input.pipe(
        asyncMap(() => cold('-----(x|)', { x: 'late' }), {
          timeout: 3,
          scheduler: ts,
          onTimeout: (v) => [`${v}: timed out`],
        }),
        unbatched(),
      );
      expectObservable(handled).toBe('---(ae|)', { a: record('slow: timed out', 1), e: watermark(Infinity) });
    });
    expect(new AsyncTimeoutError('lookup', { id: 7 }, 250).message).toBe(
      'Async request of "lookup" for element {"id":7} timed out after 250 ms',
    );
  });

  it('a rejected request fails the stream with AsyncRequestError carrying the cause', async () => {
    const cause = new Error('503 from pricing');
    const error = await firstValueFrom(
      of([record('sku-1', 1)] as StreamBatch<string>).pipe(asyncMap(() => Promise.reject(cause), { name: 'pricing' })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AsyncRequestError);
    expect((error as AsyncRequestError).cause).toBe(cause);
    expect((error as Error).message).toMatch(/"pricing".*"sku-1".*503/);
  });

  it('works with promises on the real scheduler', async () => {
    const input = fromIterable(
      Array.from({ length: 50 }, (_, i) => record(i, i)),
      { batchSize: 7 },
    );
    const out = await firstValueFrom(
      input.pipe(
        asyncMap((v: number) => new Promise<number>((r) => setTimeout(() => r(v * 2), (v * 7) % 5)), {
          concurrency: 4,
          bufferSize: 8,
        }),
        unbatched(),
        toArray(),
      ),
    );
    expect(out.filter((e) => e.kind === 'record').map((e) => (e.kind === 'record' ? e.value : -1))).toEqual(
      Array.from({ length: 50 }, (_, i) => i * 2),
    );
    expect(out.at(-1)).toEqual(watermark(Infinity));
  });

  it('refuses input it cannot pause when it does not fit (no silent unbounded buffer)', () => {
    const ts = newScheduler();
    ts.run(({ cold, hot, expectObservable }) => {
      const pushed = hot('-abc', { a: record('a', 1), b: record('b', 2), c: record('c', 3) }).pipe(batched());
      const out = pushed.pipe(
        asyncMap(() => cold('-----(x|)', { x: 1 }), { concurrency: 2, scheduler: ts, name: 'enrich' }),
      );
      expectObservable(out).toBe(
        '---#',
        undefined,
        expect.objectContaining({ name: 'BufferOverflowError', buffer: 'enrich', size: 2, element: 'c' }),
      );
    });
    expect(BufferOverflowError.name).toBe('BufferOverflowError');
  });

  it('asyncMapValues: value batches, ordered or not, paced like the element version', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const latency: Record<string, string> = { a: '---(x|)', b: '-(x|)', c: '(x|)', d: '--(x|)' };
      const input = () => fromIterable(['a', 'b', 'c', 'd'], { batchSize: 4, scheduler: ts });
      const call = (v: string) => cold(latency[v]!, { x: v.toUpperCase() });
      expectObservable(
        input().pipe(
          asyncMapValues(call, { concurrency: 4, scheduler: ts }),
          map((b) => b.join('')),
        ),
      ).toBe('---(a|)', { a: 'ABCD' });
      expectObservable(
        input().pipe(
          asyncMapValues(call, { concurrency: 4, ordered: false, scheduler: ts }),
          map((b) => b.join('')),
        ),
      ).toBe('cbd(a|)', {
        c: 'C',
        b: 'B',
        d: 'D',
        a: 'A',
      });
    });
    expect(() => asyncMapValues((v: number) => of(v), { bufferSize: 0 })).toThrow(InvalidOptionError);
  });

  it('refuses invalid options when built', () => {
    expect(() => asyncMap((v: number) => of(v), { concurrency: 0 })).toThrow(InvalidOptionError);
    expect(() => asyncMap((v: number) => of(v), { concurrency: 4, bufferSize: 2 })).toThrow(/bufferSize/);
    expect(() => asyncMap((v: number) => of(v), { timeout: -1 })).toThrow(/timeout/);
    expect(() => asyncMap(42 as never)).toThrow(/fn/);
  });

  it('property: with random latencies, ordered output equals input; unordered keeps every record between the same watermarks and barriers', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ w: fc.constant(true) }),
            fc.record({ b: fc.constant(true) }),
            fc.record({ latency: fc.integer({ min: 0, max: 6 }) }),
          ),
          { maxLength: 80 },
        ),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        (spec, concurrency, batchSize, ordered) => {
          let t = 0;
          const input: StreamElement<number>[] = spec.map((s, i) =>
            'w' in s ? watermark(t) : 'b' in s ? barrier(i) : record(i, ++t),
          );
          const latencyOf = new Map(spec.map((s, i) => [i, 'latency' in s ? s.latency : 0]));
          const ts = new TestScheduler(() => true);
          let out: StreamElement<number>[] = [];
          ts.run(() => {
            pulledElements(input, ts, batchSize)
              .pipe(
                asyncMap((v: number) => timer(latencyOf.get(v)!, ts).pipe(map(() => v)), {
                  concurrency,
                  bufferSize: concurrency + 1,
                  ordered,
                  scheduler: ts,
                }),
                unbatched(),
                toArray(),
              )
              .subscribe((o) => (out = o));
          });
          const expected = [...input, watermark(Infinity)];
          if (ordered) {
            expect(out).toEqual(expected);
          } else {
            // Same multiset, watermarks in place, each record within the segment it came in.
            const segments = (es: StreamElement<number>[]) => {
              const result: string[] = [];
              let current: number[] = [];
              for (const e of es) {
                if (e.kind === 'record') current.push(e.value);
                else {
                  result.push(JSON.stringify(current.sort((a, b) => a - b)), JSON.stringify(e));
                  current = [];
                }
              }
              return result;
            };
            expect(segments(out)).toEqual(segments(expected));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
