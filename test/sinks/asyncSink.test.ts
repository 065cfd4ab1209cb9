import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { firstValueFrom, lastValueFrom, map, of, timer, toArray } from 'rxjs';
import fc from 'fast-check';
import {
  AsyncRequestError,
  asyncSink,
  asyncSinkValues,
  fromIterable,
  InvalidOptionError,
  record,
  watermark,
  type StreamBatch,
  type StreamElement,
} from '../../src/index.js';
import { unbatched } from '../../src/testing/index.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('async sinks', () => {
  it('10,000,000 records through a sink taking 1 ms per batch: in flight never exceeds the bound, nothing lost or duplicated', async () => {
    const total = 10_000_000;
    const batchSize = 10_000;
    const bound = 20_000;
    // A generator, so the input is never materialized: memory holds only what is in flight.
    function* numbers(): Generator<number> {
      for (let i = 0; i < total; i++) yield i;
    }
    const source = fromIterable(numbers(), { batchSize });
    let pulled = 0;
    let inFlight = 0;
    let peakInFlight = 0;
    let writes = 0;
    let next = 0;
    let sum = 0;
    let outOfOrder = 0;
    await lastValueFrom(
      source.pipe(
        map((values) => {
          pulled += values.length;
          // Pulled but not yet written: the sink holds these (waiting or being written).
          peakInFlight = Math.max(peakInFlight, pulled - next);
          return values;
        }),
        asyncSinkValues(
          (values) => {
            writes++;
            inFlight += values.length;
            return new Promise<void>((resolve) =>
              setTimeout(() => {
                for (let i = 0; i < values.length; i++) {
                  if (values[i] !== next) outOfOrder++;
                  next++;
                  sum += values[i]!;
                }
                inFlight -= values.length;
                resolve();
              }, 1),
            );
          },
          { concurrency: 2, bufferSize: bound },
        ),
      ),
      { defaultValue: [] },
    );
    expect(peakInFlight).toBeLessThanOrEqual(bound);
    expect(peakInFlight).toBeGreaterThan(0);
    expect(inFlight).toBe(0);
    expect(next).toBe(total);
    expect(outOfOrder).toBe(0);
    expect(sum).toBe((total * (total - 1)) / 2);
    expect(writes).toBe(total / batchSize);
    const metrics = source.monitor.snapshot();
    expect(metrics.recordsIn).toBe(total);
    expect(metrics.recordsOut).toBe(total);
    expect(metrics.stages.find((s) => s.kind === 'sink')!.peakOccupancy).toBeLessThanOrEqual(bound);
  }, 60_000);

  it('emits written records, and a barrier only after every write before it has completed (marbles)', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const elements: StreamElement<string>[] = [
        record('a', 1),
        record('b', 2),
        { kind: 'barrier', checkpointId: 1 },
        record('c', 3),
        watermark(3),
      ];
      const writes: string[] = [];
      const out = fromIterable(elements, { batchSize: 10, scheduler: ts }).pipe(
        asyncSink(
          (values) => {
            writes.push(`${ts.now()}:${values.join('')}`);
            return cold('---|');
          },
          { concurrency: 2, bufferSize: 10, scheduler: ts },
        ),
        unbatched(),
      );
      expectObservable(out).toBe('---(abkcwe|)', {
        a: record('a', 1),
        b: record('b', 2),
        k: { kind: 'barrier', checkpointId: 1 },
        c: record('c', 3),
        w: watermark(3),
        e: watermark(Infinity),
      });
      ts.flush();
      // Runs of records between markers are written separately, two at once.
      expect(writes).toEqual(['0:ab', '0:c']);
    });
  });

  it('a failed write fails the stream with AsyncRequestError naming the sink', async () => {
    const error = await firstValueFrom(
      of([record('row-1', 1)] as StreamBatch<string>).pipe(
        asyncSink(() => Promise.reject(new Error('disk full')), { name: 'db' }),
      ),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AsyncRequestError);
    expect((error as Error).message).toMatch(/"db".*"row-1".*disk full/);
  });

  it('refuses invalid options when built', () => {
    expect(() => asyncSinkValues(() => of(1), { concurrency: 0 })).toThrow(InvalidOptionError);
    expect(() => asyncSink(() => of(1), { concurrency: 3, bufferSize: 2 })).toThrow(/bufferSize/);
    expect(() => asyncSink('nope' as never)).toThrow(/write/);
  });

  it('property: random write latencies (TestScheduler): output equals input, in order, within the bound', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 8 }),
        (values, latencies, batchSize, concurrency, extra) => {
          const ts = new TestScheduler(() => true);
          const bufferSize = concurrency + extra;
          let written: number[] = [];
          let emitted: number[] = [];
          let held = 0;
          let peak = 0;
          let calls = 0;
          ts.run(() => {
            fromIterable(values, { batchSize, scheduler: ts })
              .pipe(
                map((b) => {
                  held += b.length;
                  peak = Math.max(peak, held);
                  return b;
                }),
                asyncSinkValues(
                  (b) => {
                    const latency = latencies[calls++ % latencies.length]!;
                    return timer(latency, ts).pipe(map(() => (written = written.concat(b))));
                  },
                  { concurrency, bufferSize, scheduler: ts },
                ),
                map((b) => {
                  held -= b.length;
                  return b;
                }),
                toArray(),
              )
              .subscribe((batches) => (emitted = batches.flat()));
          });
          expect(emitted).toEqual(values);
          expect(peak).toBeLessThanOrEqual(bufferSize);
          if (concurrency === 1) expect(written).toEqual(values);
          else expect([...written].sort()).toEqual([...values].sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: random real latencies (ms): output equals input, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
        async (values, latencies) => {
          let calls = 0;
          const out = await lastValueFrom(
            fromIterable(values, { batchSize: 3 }).pipe(
              asyncSinkValues(() => new Promise((r) => setTimeout(r, latencies[calls++ % latencies.length])), {
                concurrency: 2,
                bufferSize: 6,
              }),
              toArray(),
            ),
          );
          expect(out.flat()).toEqual(values);
        },
      ),
      { numRuns: 25 },
    );
  });
});
