import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  END_OF_STREAM,
  boundedOutOfOrderness,
  mergeTimed,
  record,
  watermark,
  withEventTime,
  type StreamBatch,
  type StreamElement,
} from '../../src/index.js';
import { ACTIVE, IDLE, WatermarkValve } from '../../src/engine/index.js';
import { batched, unbatched } from '../../src/testing/index.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('mergeTimed (Flink StatusWatermarkValve)', () => {
  it('forwards the minimum watermark over inputs, only when it increases', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const left = hot<StreamElement<string>>('a-1---3---|', { a: record('a', 1), 1: watermark(10), 3: watermark(30) });
      const right = hot<StreamElement<string>>('--2-b---4-|', {
        2: watermark(20),
        b: record('b', 25),
        4: watermark(40),
      });
      const out = mergeTimed(left.pipe(batched()), right.pipe(batched())).pipe(unbatched());
      // min(10,20)=10 at 2; b passes at 4; min(30,20)=20 at 6; min(30,40)=30 at 8. At 10 left completes
      // first (its watermark becomes +inf, so right's 40 is the minimum), then right: +inf.
      expectObservable(out).toBe('a-x-b-y-z-(fe|)', {
        a: record('a', 1),
        x: watermark(10),
        b: record('b', 25),
        y: watermark(20),
        z: watermark(30),
        f: watermark(40),
        e: END_OF_STREAM,
      });
    });
  });

  it('an idle input stops holding back the watermark; when it comes back it rejoins once caught up', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const fast = hot<StreamElement<string>>('1---3-----5-|', {
        1: watermark(10),
        3: watermark(30),
        5: watermark(50),
      });
      const slow = hot<StreamElement<string>>('-2-i---A-r-4|', {
        2: watermark(5),
        i: IDLE,
        A: ACTIVE,
        r: record('late-ish', 35),
        4: watermark(60),
      });
      const out = mergeTimed(fast.pipe(batched()), slow.pipe(batched())).pipe(unbatched());
      // 5 at 1 (min of 10,5); slow idle at 3 -> 10; 30 at 4; slow active at 7 with watermark 5 < 30: not aligned,
      // so fast alone drives 50 at 10; slow's 60 realigns it (min 50, already out). At 12 fast completes
      // first (+inf), leaving slow's 60 as the minimum, then slow: +inf.
      expectObservable(out).toBe('-w-x3----r5-(ye|)', {
        w: watermark(5),
        x: watermark(10),
        3: watermark(30),
        r: record('late-ish', 35),
        5: watermark(50),
        y: watermark(60),
        e: END_OF_STREAM,
      });
    });
  });

  it('with one input idle under withIdleness, the other input alone advances the merged watermark', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const strategy = boundedOutOfOrderness<number>(0).withPeriod(100).withIdleness(150);
      const busy = hot<number>('a 99ms b 99ms c 99ms d 99ms e 99ms f 99ms |', {
        a: 1000,
        b: 2000,
        c: 3000,
        d: 4000,
        e: 5000,
        f: 6000,
      });
      const quiet = hot<number>('q 699ms |', { q: 500 });
      const out = mergeTimed(
        busy.pipe(withEventTime({ timestamp: (v: number) => v, watermarks: strategy })),
        quiet.pipe(withEventTime({ timestamp: (v: number) => v, watermarks: strategy })),
      ).pipe(unbatched());
      // quiet: watermark 499 at 100, inactive from 200, idle at 400 (> 200 + 150). Until then the merge
      // is held at min(busy, 499) = 499; at 400 busy's 4999 is released, at 500 its 5999, and when busy
      // completes at 600 its +inf ends event time: an idle input holds nothing back, as in Flink.
      expectObservable(out).toBe('(aq) 96ms (bw) 96ms c 99ms d 99ms (ex) 96ms (fy) 96ms E 99ms |', {
        a: record(1000, 1000),
        q: record(500, 500),
        b: record(2000, 2000),
        w: watermark(499),
        c: record(3000, 3000),
        d: record(4000, 4000),
        e: record(5000, 5000),
        x: watermark(4999),
        f: record(6000, 6000),
        y: watermark(5999),
        E: END_OF_STREAM,
      });
    });
  });

  it('when every input is idle, releases the highest watermark and goes idle (FLINK-28977)', () => {
    const valve = new WatermarkValve(2);
    const out: StreamElement<unknown, unknown>[] = [];
    valve.inputWatermark(0, 10, out);
    valve.inputWatermark(1, 20, out);
    valve.inputStatus(0, true, out);
    valve.inputStatus(1, true, out);
    expect(out).toEqual([watermark(10), watermark(20), IDLE]);
  });
});

/** A random timed stream per input: records with timestamps, watermarks, idleness flips. */
const inputArb = fc.array(
  fc.oneof(
    fc.record({ k: fc.constant('r' as const), t: fc.integer({ min: 0, max: 1000 }) }),
    fc.record({ k: fc.constant('w' as const), t: fc.integer({ min: 0, max: 1000 }) }),
    fc.record({ k: fc.constant('s' as const), idle: fc.boolean() }),
  ),
  { maxLength: 40 },
);

describe('property: merged watermarks', () => {
  it('never regress, reach +infinity when every input completes, and lose no record', () => {
    fc.assert(
      fc.property(
        fc.array(inputArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        (inputs, order) => {
          const subjects = inputs.map(() => new Subject<StreamBatch<number>>());
          const seen: StreamElement<number>[] = [];
          let completed = false;
          mergeTimed(...subjects).subscribe({
            next: (b) => seen.push(...b),
            complete: () => {
              completed = true;
            },
          });
          // Each input is made well-formed: its own watermarks only increase and its records are not behind them.
          const cursors = inputs.map(() => 0);
          const inputWatermark = inputs.map(() => -Infinity);
          const step = (i: number) => {
            const item = inputs[i]![cursors[i]++]!;
            if (item.k === 'r')
              subjects[i]!.next(
                [record(Math.max(item.t, inputWatermark[i]! + 1), 0)].map((r) => ({ ...r, timestamp: r.value })),
              );
            else if (item.k === 'w') {
              if (item.t > inputWatermark[i]!) {
                inputWatermark[i] = item.t;
                subjects[i]!.next([watermark(item.t)]);
              }
            } else subjects[i]!.next([item.idle ? IDLE : ACTIVE]);
          };
          for (const o of order) {
            const live = inputs.map((_, i) => i).filter((i) => cursors[i]! < inputs[i]!.length);
            if (live.length === 0) break;
            step(live[o % live.length]!);
          }
          for (let i = 0; i < inputs.length; i++) {
            while (cursors[i]! < inputs[i]!.length) step(i);
            subjects[i]!.complete();
          }
          expect(completed).toBe(true);
          let last = -Infinity;
          for (const element of seen) {
            if (element.kind === 'watermark') {
              expect(element.timestamp).toBeGreaterThan(last);
              last = element.timestamp;
            }
          }
          expect(last).toBe(Infinity);
          expect(seen.filter((e) => e.kind === 'record')).toHaveLength(inputs.flat().filter((x) => x.k === 'r').length);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('property: merged records and watermarks', () => {
  it('without idleness, no record follows a merged watermark that covers it', () => {
    fc.assert(
      fc.property(
        fc.array(inputArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        (raw, order) => {
          const inputs = raw.map((items) => items.filter((x) => x.k !== 's'));
          const subjects = inputs.map(() => new Subject<StreamBatch<number>>());
          const seen: StreamElement<number>[] = [];
          mergeTimed(...subjects).subscribe((b) => seen.push(...b));
          // Each input keeps its own contract: its records are ahead of its own watermark.
          const cursors = inputs.map(() => 0);
          const inputWatermark = inputs.map(() => -Infinity);
          const step = (i: number) => {
            const item = inputs[i]![cursors[i]++]!;
            if (item.k === 'r') {
              const ts = Math.max(item.t, inputWatermark[i]! + 1);
              subjects[i]!.next([record(ts, ts)]);
            } else if (item.t > inputWatermark[i]!) {
              inputWatermark[i] = item.t;
              subjects[i]!.next([watermark(item.t)]);
            }
          };
          for (const o of order) {
            const live = inputs.map((_, i) => i).filter((i) => cursors[i]! < inputs[i]!.length);
            if (live.length === 0) break;
            step(live[o % live.length]!);
          }
          for (let i = 0; i < inputs.length; i++) {
            while (cursors[i]! < inputs[i]!.length) step(i);
            subjects[i]!.complete();
          }
          let current = -Infinity;
          for (const element of seen) {
            if (element.kind === 'watermark') current = element.timestamp;
            else if (element.kind === 'record') expect(element.timestamp).toBeGreaterThan(current);
          }
          expect(current).toBe(Infinity);
        },
      ),
      { numRuns: 500 },
    );
  });
});
