import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { finalize, lastValueFrom, map, merge, Observable, tap } from 'rxjs';
import {
  asyncMap,
  asyncSink,
  asyncSinkValues,
  filterValues,
  fromIterable,
  keyBy,
  mapValues,
  record,
  type StreamBatch,
} from '../../src/index.js';
import { unbatched } from '../../src/testing/index.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const toRecords = map((values: readonly number[]): StreamBatch<number> => values.map((v) => record(v, v)));

describe('demand across a whole pipeline', () => {
  it('passes through engine operators (mapValues, filterValues, keyBy) between source and sink', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      const pulls: string[] = [];
      const seen: string[] = [];
      fromIterable([1, 2, 3, 4, 5, 6], { batchSize: 2, scheduler: ts })
        .pipe(
          tap((b) => pulls.push(`${ts.now()}:${b}`)),
          toRecords,
          mapValues((v: number) => v * 10),
          filterValues((v: number) => v !== 30),
          keyBy((v: number) => v % 20),
          asyncSink(() => cold('--|'), { concurrency: 1, bufferSize: 2, scheduler: ts }),
          unbatched(),
        )
        .subscribe((e) => seen.push(`${ts.now()}:${e.kind === 'record' ? e.value : e.kind}`));
      ts.flush();
      // Credit 2 counted at the sink: 30 is filtered out on the way, so [3, 4] leaves room for [5].
      expect(pulls).toEqual(['0:1,2', '2:3,4', '2:5', '4:6']);
      expect(seen).toEqual(['2:10', '2:20', '4:40', '6:50', '8:60', '8:watermark']);
    });
  });

  it('stops every source of a merge while the sink is full', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      const pulled: string[] = [];
      const seen: string[] = [];
      const a = fromIterable(['a1', 'a2', 'a3'], { batchSize: 1, scheduler: ts, name: 'a' }).pipe(
        tap((b) => pulled.push(`${ts.now()}:${b}`)),
      );
      const b = fromIterable(['b1', 'b2', 'b3'], { batchSize: 1, scheduler: ts, name: 'b' }).pipe(
        tap((x) => pulled.push(`${ts.now()}:${x}`)),
      );
      merge(a, b)
        .pipe(asyncSinkValues(() => cold('---|'), { concurrency: 1, bufferSize: 2, scheduler: ts }))
        .subscribe((v) => seen.push(`${ts.now()}:${v}`));
      ts.flush();
      // Never more than 2 values pulled ahead of the sink, over both sources together; freed credit
      // goes to the sources in turn (a3 at 3, b1 at 6, then b alone once a has completed).
      expect(pulled).toEqual(['0:a1', '0:a2', '3:a3', '6:b1', '9:b2', '12:b3']);
      expect(seen).toEqual(['3:a1', '6:a2', '9:a3', '12:b1', '15:b2', '18:b3']);
    });
  });

  it('reports a chain (source, async map, sink) in the source monitor, with occupancy within bounds', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      const source = fromIterable(
        Array.from({ length: 20 }, (_, i) => i),
        { batchSize: 4, scheduler: ts, name: 'numbers' },
      );
      const occupancies: number[][] = [];
      source
        .pipe(
          toRecords,
          asyncMap((v: number) => cold('-(x|)', { x: v }), {
            concurrency: 2,
            bufferSize: 4,
            scheduler: ts,
            name: 'enrich',
          }),
          asyncSink(
            () => {
              occupancies.push(source.monitor.snapshot().stages.map((s) => s.occupancy));
              return cold('--|');
            },
            { concurrency: 1, bufferSize: 3, scheduler: ts, name: 'store' },
          ),
        )
        .subscribe();
      ts.flush();
      const m = source.monitor.snapshot();
      expect(m.stages.map((s) => [s.name, s.kind, s.capacity])).toEqual([
        ['numbers', 'source', Infinity],
        ['enrich', 'async-map', 4],
        ['store', 'sink', 3],
      ]);
      expect(m.recordsIn).toBe(20);
      expect(m.recordsOut).toBe(20);
      expect(m.occupancy).toBe(0);
      const [, map, sink] = m.stages;
      expect(map!.peakOccupancy).toBeLessThanOrEqual(4);
      expect(sink!.peakOccupancy).toBeLessThanOrEqual(3);
      expect(map!.recordsOut).toBe(20);
      for (const [, o1, o2] of occupancies) {
        expect(o1).toBeLessThanOrEqual(4);
        expect(o2).toBeLessThanOrEqual(3);
      }
      expect(m.stages[0]!.backPressuredTimeMs).toBeGreaterThan(0);
    });
  });

  it('unsubscribing stops pulling and cancels requests in flight', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      let cancelled = 0;
      let produced = 0;
      function* gen(): Generator<number> {
        for (let i = 0; ; i++) {
          produced++;
          yield i;
        }
      }
      const subscription = fromIterable(gen(), { batchSize: 2, scheduler: ts })
        .pipe(
          toRecords,
          asyncMap(() => cold('-----(x|)', { x: 1 }).pipe(finalize(() => cancelled++)), {
            concurrency: 2,
            scheduler: ts,
          }),
        )
        .subscribe();
      ts.schedule(() => subscription.unsubscribe(), 2);
      ts.flush();
      expect(produced).toBe(2);
      expect(cancelled).toBe(2);
    });
  });

  it('an error of the underlying iterable fails the pipeline', async () => {
    function* broken(): Generator<number> {
      yield 1;
      throw new Error('bad row 2');
    }
    await expect(lastValueFrom(fromIterable(broken(), { batchSize: 5 }))).rejects.toThrow('bad row 2');
  });

  it('a stage fed by pulled sources accepts a burst emitted outside a delivery (e.g. by a timer)', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      const seen: string[] = [];
      // One record pulled, then a burst of 3 records at frame 1 from "a timer" upstream: more than
      // the bound of 2, accepted because a pulled source feeds the sink (it stays paused meanwhile).
      const burst = new Observable<StreamBatch<number>>((s) =>
        ts.schedule(() => s.next([record(7, 7), record(8, 8), record(9, 9)]), 1),
      );
      const source = fromIterable([1], { batchSize: 1, scheduler: ts }).pipe(toRecords);
      merge(source, burst)
        .pipe(
          asyncSink(() => cold('-|'), { concurrency: 1, bufferSize: 2, scheduler: ts }),
          unbatched(),
        )
        .subscribe((e) => seen.push(`${ts.now()}:${e.kind === 'record' ? e.value : e.kind}`));
      ts.flush();
      expect(seen).toEqual(['1:1', '2:7', '2:8', '2:9']);
    });
  });
});
