import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { from, map, toArray, firstValueFrom, type Observable } from 'rxjs';
import {
  Counters,
  SideOutput,
  boundedOutOfOrderness,
  combine,
  average,
  count,
  keyBy,
  max,
  min,
  sum,
  toValues,
  tumblingEventTimeWindows,
  slidingEventTimeWindows,
  window,
  withEventTime,
  withEventTimeBatches,
  type StreamBatch,
  type InvalidRecord,
  type StreamRecord,
  type WatermarkStrategy,
} from '../../src/index.js';
import { unbatched } from '../../src/testing/index.js';
import { stageOf } from '../../src/rx/stages.js';

// src/window/fused-window.ts: `withEventTime(Batches) → keyBy → window → toValues` in one plain pipe runs as
// one fused loop; any operator in between keeps the unfused path. Both must give the same elements.

interface Ev {
  k: string;
  at: number;
  v: number;
}
const pass = <T>() => map((x: T) => x); // breaks fusion, changes nothing

const events = fc.array(
  fc.record({
    k: fc.constantFrom('a', 'b', 'c'),
    // Now and then a timestamp that is not an integer (to the `invalid` side output): it ends a run of
    // the fused entry's batch loop (timestamps-and-watermarks.ts #boundedRunsTo), as a late value does.
    at: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 0, max: 5_000 }) }, fc.constant(0.5)),
    v: fc.integer({ min: 0, max: 9 }),
  }),
  { maxLength: 120 },
);
const strategies: [string, () => WatermarkStrategy<Ev>][] = [
  ['every event', () => boundedOutOfOrderness<Ev>(300).onEveryEvent()],
  ['every batch', () => boundedOutOfOrderness<Ev>(300).onEveryBatch()],
  ['periodic', () => boundedOutOfOrderness<Ev>(300)],
];

function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

describe('fused event-time window chain', () => {
  for (const [name, strategy] of strategies) {
    // With allowed lateness, late values re-fire their window from the pane table's late panes, also
    // through the chain's one body per value (ValuesDownstream.value, one value at a time).
    it(`gives the elements and values of the unfused operators (${name}, batches and single values, late data, allowed lateness, invalid timestamps)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          events,
          fc.integer({ min: 1, max: 7 }),
          fc.boolean(),
          fc.boolean(),
          fc.constantFrom(0, 400),
          async (evs, size, batched, sliding, allowedLateness) => {
            const run = async (fused: boolean, values: boolean) => {
              const late = new SideOutput<StreamRecord<Ev, string>>('late');
              const lateSeen: StreamRecord<Ev, string>[] = [];
              late.subscribe((r) => lateSeen.push(r));
              const invalid = new SideOutput<InvalidRecord<Ev>>('invalid');
              const invalidSeen: InvalidRecord<Ev>[] = [];
              invalid.subscribe((r) => invalidSeen.push(r));
              const counters = new Counters();
              const options = { timestamp: (e: Ev) => e.at, watermarks: strategy(), counters, invalid };
              const entered: Observable<StreamBatch<Ev>> = batched
                ? from(chunks(evs, size)).pipe(withEventTimeBatches(options))
                : from(evs).pipe(withEventTime(options));
              const keyed = (fused ? entered : entered.pipe(pass())).pipe(keyBy((e: Ev) => e.k));
              const assigner = sliding ? slidingEventTimeWindows(1_000, 500) : tumblingEventTimeWindows(1_000);
              const windowed = (fused ? keyed : keyed.pipe(pass())).pipe(
                window<Ev, string>(assigner, { lateOutput: late, allowedLateness }).aggregate(
                  combine({ n: count(), s: sum((e: Ev) => e.v) }),
                ),
              );
              const out = values
                ? await firstValueFrom((fused ? windowed : windowed.pipe(pass())).pipe(toValues(), toArray()))
                : await firstValueFrom(windowed.pipe(unbatched(), toArray()));
              return {
                out,
                late: lateSeen,
                invalid: invalidSeen,
                counted: [counters.get('lateRecords'), counters.get('invalidTimestamps')],
              };
            };
            for (const values of [false, true]) expect(await run(true, values)).toEqual(await run(false, values));
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('delivers nothing of a batch that fails after firing a pane (results built as delivered, pane-path.ts deliver)', async () => {
    const run = (last: string) => {
      const seen: unknown[] = [];
      const failed = new Promise<unknown>((resolve) => {
        from([
          [{ k: 'a', at: 1, v: 1 }],
          // The watermark of `at: 2000` fires the window [0, 1000); then the key selector throws.
          [
            { k: 'b', at: 2_000, v: 2 },
            { k: last, at: 2_001, v: 3 },
          ],
        ])
          .pipe(
            withEventTimeBatches({
              timestamp: (e: Ev) => e.at,
              watermarks: boundedOutOfOrderness<Ev>(0).onEveryEvent(),
            }),
            keyBy((e: Ev) => {
              if (e.k === 'boom') throw new Error('bad key');
              return e.k;
            }),
            window<Ev, string>(tumblingEventTimeWindows(1_000)).aggregate(
              combine({ n: count(), s: sum((e: Ev) => e.v) }),
            ),
            toValues(),
          )
          .subscribe({ next: (r) => seen.push(r), error: resolve, complete: () => resolve(null) });
      });
      return failed.then((error) => ({ error, seen }));
    };
    const ok = await run('c');
    expect(ok.error).toBeNull();
    expect(ok.seen[0]).toMatchObject({ key: 'a', value: { n: 1, s: 1 } }); // (the batch fires that window)
    const bad = await run('boom');
    expect(String(bad.error)).toContain('bad key');
    expect(bad.seen).toEqual([]);
  });

  it("a pane on a fired pane's columns (PaneTable.recycle) gives the results of fresh columns: every built-in, fewer keys than before", async () => {
    // Window [0, 1000) holds a, b, c; each later window fewer keys, on the columns the window before
    // left (min, max and average would read a stale slot if a first value did not overwrite it).
    const evs: Ev[] = [
      { k: 'a', at: 10, v: 5 },
      { k: 'b', at: 20, v: 9 },
      { k: 'c', at: 30, v: 1 },
      { k: 'b', at: 40, v: 7 },
      { k: 'c', at: 1_010, v: 3 },
      { k: 'a', at: 1_020, v: 2 },
      { k: 'a', at: 2_010, v: 8 },
      { k: 'b', at: 3_010, v: 4 },
    ];
    const results = await firstValueFrom(
      from(chunks(evs, 2)).pipe(
        withEventTimeBatches({ timestamp: (e: Ev) => e.at, watermarks: boundedOutOfOrderness<Ev>(0).onEveryEvent() }),
        keyBy((e: Ev) => e.k),
        window<Ev, string>(tumblingEventTimeWindows(1_000)).aggregate(
          combine({ lo: min((e: Ev) => e.v), hi: max((e: Ev) => e.v), avg: average((e: Ev) => e.v), n: count() }),
        ),
        toValues(),
        map((r) => [r.key, r.window.start, r.value]),
        toArray(),
      ),
    );
    expect(results).toEqual([
      ['a', 0, { lo: 5, hi: 5, avg: 5, n: 1 }],
      ['b', 0, { lo: 7, hi: 9, avg: 8, n: 2 }],
      ['c', 0, { lo: 1, hi: 1, avg: 1, n: 1 }],
      ['c', 1_000, { lo: 3, hi: 3, avg: 3, n: 1 }],
      ['a', 1_000, { lo: 2, hi: 2, avg: 2, n: 1 }],
      ['a', 2_000, { lo: 8, hi: 8, avg: 8, n: 1 }],
      ['b', 3_000, { lo: 4, hi: 4, avg: 4, n: 1 }],
    ]);
  });

  it('fuses exactly when the operators follow one another in the pipe', () => {
    const entered = from([[{ k: 'a', at: 1, v: 1 }]]).pipe(
      withEventTimeBatches({ timestamp: (e: Ev) => e.at, watermarks: boundedOutOfOrderness<Ev>(0) }),
    );
    const agg = () => window<Ev, string>(tumblingEventTimeWindows(1_000)).aggregate(count());
    expect(
      stageOf(
        entered.pipe(
          keyBy((e: Ev) => e.k),
          agg(),
        ),
        'values',
      )?.kind,
    ).toBe('values');
    expect(
      stageOf(
        entered.pipe(
          pass(),
          keyBy((e: Ev) => e.k),
          agg(),
        ),
        'values',
      ),
    ).toBeUndefined();
  });
});
