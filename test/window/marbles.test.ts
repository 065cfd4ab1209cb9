/**
 * Marble tests under TestScheduler: processing-time windows and triggers driven by the injected
 * scheduler, event-time windows firing before the watermark that fired them, and the end of input.
 */
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { END_OF_STREAM, keyBy, record, watermark, type StreamElement } from '../../src/index.js';
import { keyedRecord, keyGroupOf } from '../../src/engine/index.js';
import { batched, unbatched } from '../../src/testing/index.js';
import { FIRE_EARLY_ELEMENT } from '../../src/window/fire-early.js';
import {
  continuousProcessingTimeTrigger,
  count,
  countWindow,
  processingTimeSessionWindows,
  slidingProcessingTimeWindows,
  sum,
  tumblingEventTimeWindows,
  tumblingProcessingTimeWindows,
  window,
  windowAll,
} from '../../src/window/index.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

type Ev = { k: string; v: number };
const ev = (k: string, v: number, ts = 0): StreamElement<Ev> => record({ k, v }, ts);
/** The pane of a window that fires once, at its end, and is cleared (pane-info.ts). */
const ONLY = { timing: 'ON_TIME', index: 0, isFirst: true, isLast: true } as const;
const early = (index: number) => ({ timing: 'EARLY', index, isFirst: index === 0, isLast: false }) as const;
const res = <R>(key: string, start: number, end: number, value: R, pane: object = ONLY) =>
  keyedRecord({ key, window: { start, end }, value, pane }, end - 1, key, keyGroupOf(key));
const byK = keyBy((e: Ev) => e.k);

describe('processing-time windows (TestScheduler)', () => {
  it('tumblingProcessingTimeWindows fire when the scheduler reaches end - 1', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const input = cold('a 399ms b 599ms c 1999ms |', { a: ev('x', 1), b: ev('x', 2), c: ev('x', 4) });
      const out = input.pipe(
        batched(),
        byK,
        window<Ev, string>(tumblingProcessingTimeWindows(1000), { scheduler }).aggregate(sum((e: Ev) => e.v)),
        unbatched(),
      );
      expectObservable(out).toBe('999ms p 999ms q 1000ms (e|)', {
        p: res('x', 0, 1000, 3),
        q: res('x', 1000, 2000, 4),
        e: END_OF_STREAM,
      });
    });
  });

  it('at the end of input, open processing-time windows do not fire (as Flink, which quiesces its processing-time service)', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const input = cold('a 999ms c 499ms |', { a: ev('x', 1), c: ev('x', 4) });
      const out = input.pipe(
        batched(),
        byK,
        window<Ev, string>(tumblingProcessingTimeWindows(1000), { scheduler }).aggregate(count()),
        unbatched(),
      );
      expectObservable(out).toBe('999ms p 500ms (e|)', { p: res('x', 0, 1000, 1), e: END_OF_STREAM });
    });
  });

  it('processingTimeSessionWindows merge elements closer than the gap in processing time', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const input = cold('a 199ms b 799ms c 999ms |', { a: ev('x', 1), b: ev('x', 2), c: ev('x', 4) });
      const out = input.pipe(
        batched(),
        byK,
        window<Ev, string>(processingTimeSessionWindows(300), { scheduler }).aggregate(sum((e: Ev) => e.v)),
        unbatched(),
      );
      // a at 0 and b at 200: session [0, 500) fires at 499; c at 1000: [1000, 1300) fires at 1299.
      expectObservable(out).toBe('499ms p 799ms q 700ms (e|)', {
        p: res('x', 0, 500, 3),
        q: res('x', 1000, 1300, 4),
        e: END_OF_STREAM,
      });
    });
  });

  it('continuousProcessingTimeTrigger fires an event-time window early, every interval of processing time', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const input = cold('a 249ms b 449ms w 99ms |', { a: ev('x', 1, 10), b: ev('x', 2, 20), w: watermark(9999) });
      const out = input.pipe(
        batched(),
        byK,
        window<Ev, string>(tumblingEventTimeWindows(10_000), {
          trigger: continuousProcessingTimeTrigger(200),
          scheduler,
        }).aggregate(sum((e: Ev) => e.v)),
        unbatched(),
      );
      // Aligned firings at 200 (a), 400 and 600 (a + b); the watermark at 700 fires nothing more:
      // this trigger ignores event time. Its next firing (800) is after completion.
      expectObservable(out).toBe('200ms p 199ms q 199ms r 99ms w 99ms (e|)', {
        p: res('x', 0, 10_000, 1, early(0)),
        q: res('x', 0, 10_000, 3, early(1)),
        r: res('x', 0, 10_000, 3, early(2)),
        w: watermark(9999),
        e: END_OF_STREAM,
      });
    });
  });
});

describe('more processing-time assigners (TestScheduler)', () => {
  it('slidingProcessingTimeWindows: each element is in size / slide windows, fired by the scheduler', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const input = cold('a 699ms b 1299ms |', { a: ev('x', 1), b: ev('x', 2) });
      const out = input.pipe(
        batched(),
        byK,
        window<Ev, string>(slidingProcessingTimeWindows(1000, 500), { scheduler }).aggregate(sum((e: Ev) => e.v)),
        unbatched(),
      );
      // a at 0: [-500, 500) and [0, 1000); b at 700: [0, 1000) and [500, 1500).
      expectObservable(out).toBe('499ms p 499ms q 499ms r 500ms (e|)', {
        p: res('x', -500, 500, 1),
        q: res('x', 0, 1000, 3),
        r: res('x', 500, 1500, 2),
        e: END_OF_STREAM,
      });
    });
  });

  it('windowAll over processing time: one window for all keys', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const input = cold('a b 998ms |', { a: ev('x', 1), b: ev('y', 2) });
      const out = input.pipe(
        batched(),
        windowAll<Ev>(tumblingProcessingTimeWindows(1000), { scheduler }).aggregate(count()),
        unbatched(),
      );
      expectObservable(out).toBe('999ms p (e|)', {
        p: {
          kind: 'record',
          value: { key: undefined, window: { start: 0, end: 1000 }, value: 2, pane: ONLY },
          timestamp: 999,
          key: undefined,
          keyGroup: -1,
        },
        e: END_OF_STREAM,
      });
    });
  });
});

describe('event-time windows in marbles', () => {
  it('results go out before the watermark that fired them, in the same frame', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b-w 9ms c 9ms |', {
        a: ev('x', 1, 10),
        b: ev('y', 2, 999),
        w: watermark(999),
        c: ev('x', 4, 1000),
      });
      const out = input.pipe(
        batched(),
        byK,
        window<Ev, string>(tumblingEventTimeWindows(1000)).aggregate(sum((e: Ev) => e.v)),
        unbatched(),
      );
      // The end of input fires [1000, 2000) before the end-of-stream watermark.
      expectObservable(out).toBe('4ms (pqw) 15ms (re|)', {
        p: res('x', 0, 1000, 1),
        q: res('y', 0, 1000, 2),
        w: watermark(999),
        r: res('x', 1000, 2000, 4),
        e: END_OF_STREAM,
      });
    });
  });

  // A trigger's FIRE without PURGE asked for in-band (fire-early.ts): Beam numbers a window's panes,
  // so the on-time pane after two early ones has index 2 and is not the first.
  const fireEarlyInput = {
    a: ev('x', 1, 10),
    f: FIRE_EARLY_ELEMENT,
    b: ev('x', 4, 20),
    c: ev('y', 2, 30),
    w: watermark(999),
  };
  const onTime = (index: number, isLast: boolean) => ({ timing: 'ON_TIME', index, isFirst: index === 0, isLast });

  it('fire-early on the pane table: EARLY panes in stream order, contents kept, then the on-time pane with the next index', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a 9ms f 9ms b 9ms c 9ms f 9ms w 9ms |', fireEarlyInput);
      const out = input.pipe(
        batched(),
        byK,
        window<Ev, string>(tumblingEventTimeWindows(1000)).aggregate(sum((e: Ev) => e.v)),
        unbatched(),
      );
      expectObservable(out).toBe('10ms (pf) 26ms (qrf) 5ms (stw) 5ms (e|)', {
        p: res('x', 0, 1000, 1, early(0)),
        f: FIRE_EARLY_ELEMENT,
        q: res('x', 0, 1000, 5, early(1)),
        r: res('y', 0, 1000, 2, early(0)),
        s: res('x', 0, 1000, 5, onTime(2, true)),
        t: res('y', 0, 1000, 2, onTime(1, true)),
        w: watermark(999),
        e: END_OF_STREAM,
      });
    });
  });

  it('fire-early on the general path (allowed lateness): the same panes; windows kept for lateness do not fire early', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a 9ms f 9ms b 9ms c 9ms f 9ms w 9ms f 9ms |', fireEarlyInput);
      const out = input.pipe(
        batched(),
        byK,
        window<Ev, string>(tumblingEventTimeWindows(1000), { allowedLateness: 500 }).aggregate(sum((e: Ev) => e.v)),
        unbatched(),
      );
      // The on-time pane is not the last: the window is kept 500 ms for late elements.
      expectObservable(out).toBe('10ms (pf) 26ms (qrf) 5ms (stw) 5ms f 9ms (e|)', {
        p: res('x', 0, 1000, 1, early(0)),
        f: FIRE_EARLY_ELEMENT,
        q: res('x', 0, 1000, 5, early(1)),
        r: res('y', 0, 1000, 2, early(0)),
        s: res('x', 0, 1000, 5, onTime(2, false)),
        t: res('y', 0, 1000, 2, onTime(1, false)),
        w: watermark(999),
        e: END_OF_STREAM,
      });
    });
  });

  it('countWindow never emits a partial window at the end of input (unlike bufferCount)', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('abcde|', { a: ev('x', 1), b: ev('x', 2), c: ev('x', 3), d: ev('x', 4), e: ev('x', 5) });
      const out = input.pipe(batched(), byK, countWindow<Ev, string>(2).aggregate(sum((e: Ev) => e.v)), unbatched());
      const global = { start: Number.MIN_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER };
      // Each firing purges the window (Flink's countWindow purges): a final pane, and the next one is a first again.
      const pane = { timing: 'EARLY', index: 0, isFirst: true, isLast: true };
      const r = (value: number) =>
        keyedRecord({ key: 'x', window: global, value, pane }, global.end - 1, 'x', keyGroupOf('x'));
      expectObservable(out).toBe('-p-q-(e|)', { p: r(3), q: r(7), e: END_OF_STREAM });
    });
  });
});
