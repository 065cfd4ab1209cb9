/**
 * Scenarios ported from Apache Beam's TestStream transcripts: TestStreamTest (sdks/java/core,
 * org.apache.beam.sdk.testing), test_stream_test.py and trigger_test.py / trigger_transcripts.yaml
 * (sdks/python/apache_beam), and ReduceFnRunnerTest (runners/core-java). Same inputs, our own code.
 *
 * Translation: `advanceWatermarkTo(t)` is a watermark element, `addElements(TimestampedValue)` are
 * records, `advanceWatermarkToInfinity()` is the end of input, `advanceProcessingTime(d)` is the
 * TestScheduler's clock (or the harness's). Beam's Python tests count in seconds: they are scaled to
 * milliseconds here where the scenario mixes event time and processing time.
 *
 * Where Beam and Flink differ, the assertions follow Flink (this library follows Flink exactly):
 * - A Beam watermark W says "no element before W"; a Flink watermark W says "no element at or before
 *   W". So Beam fires a window once the watermark is past `end - 1`, Flink once it reaches `end - 1`.
 * - Beam drops an element when `maxTimestamp + lateness < watermark`; Flink already when
 *   `maxTimestamp + lateness <= watermark` (the cleanup timer has fired).
 * - Beam triggers finish (a window whose trigger is done drops later data); Flink triggers do not:
 *   the default EventTimeTrigger fires once more for every late element within the lateness.
 * - Beam's accumulation mode is a window setting; in Flink a firing keeps the contents (accumulating)
 *   unless the trigger purges (`purgingTrigger`: discarding).
 * - Beam may emit empty panes (an ON_TIME pane after early firings, a final pane at garbage
 *   collection); Flink never emits a window without contents, and its cleanup never fires.
 * - Beam handles a bundle of elements at once; Flink asks the trigger after every element.
 */
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../src/core/counters.js';
import { END_OF_STREAM, keyedRecord, record, watermark, type StreamRecord } from '../../src/core/elements.js';
import { keyBy } from '../../src/index.js';
import { keyGroupOf } from '../../src/engine/index.js';
import { SideOutput } from '../../src/rx/side-output.js';
import { batched, testStream, unbatched } from '../../src/testing/index.js';
import {
  continuousProcessingTimeTrigger,
  countTrigger,
  eventTimeSessionWindows,
  eventTimeTrigger,
  globalWindows,
  isFire,
  isPurge,
  purgingTrigger,
  slidingEventTimeWindows,
  sum,
  tumblingEventTimeWindows,
  window,
  DROPPED_LATE,
  GLOBAL_WINDOW,
  LATE_TO_SIDE_OUTPUT,
  type PaneInfo,
  type PaneTiming,
  type Trigger,
  type TriggerContext,
  type TriggerResult,
  type WindowFunction,
  defineTrigger,
} from '../../src/window/index.js';
import { harness, liveWindows, rec, reduceFn, show, windowOp, wm } from './helpers.js';

const MINUTE = 60_000;
/** The pane a result should carry (Beam's PaneInfo). */
const pane = (timing: PaneTiming, index: number, isLast = false): PaneInfo => ({
  timing,
  index,
  isFirst: index === 0,
  isLast,
});
const plus = (a: number, b: number): number => a + b;
const total = reduceFn(plus);
/** The window's elements in arrival order (Beam's GroupByKey output), joined with spaces. */
const grouped = <T>(): WindowFunction<T, string, string> => ({
  kind: 'process',
  process: (elements, _ctx, out) => out.collect(elements.join(' ')),
});

/**
 * Fires when either trigger fires, purges when either purges (roughly Beam's AfterFirst, repeated).
 * Built only on the public Trigger interface: the two triggers keep state under different names.
 */
function either<T>(a: Trigger<T>, b: Trigger<T>): Trigger<T> {
  const combine = (x: TriggerResult, y: TriggerResult): TriggerResult => {
    const fire = isFire(x) || isFire(y);
    const purge = isPurge(x) || isPurge(y);
    return fire ? (purge ? 'FIRE_AND_PURGE' : 'FIRE') : purge ? 'PURGE' : 'CONTINUE';
  };
  return defineTrigger({
    name: `either(${a.name ?? 'custom'}, ${b.name ?? 'custom'})`,
    canMerge: a.canMerge === true && b.canMerge === true,
    onElement: (value, timestamp, w, ctx) =>
      combine(a.onElement(value, timestamp, w, ctx), b.onElement(value, timestamp, w, ctx)),
    onEventTime: (time, w, ctx) => combine(a.onEventTime(time, w, ctx), b.onEventTime(time, w, ctx)),
    onProcessingTime: (time, w, ctx) => combine(a.onProcessingTime(time, w, ctx), b.onProcessingTime(time, w, ctx)),
    onMerge: (w, ctx) => {
      a.onMerge?.(w, ctx);
      b.onMerge?.(w, ctx);
    },
    clear: (w, ctx) => {
      a.clear(w, ctx);
      b.clear(w, ctx);
    },
  });
}

/**
 * Beam's `AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(early))
 * .withLateFirings(AfterPane.elementCountAtLeast(late))` as a Flink trigger: every `early` elements
 * before the watermark reaches the window's end, at the end, then every `late` late elements
 * (`late: 0`: never, Beam's `Never.ever()`). Merges counts when sessions merge.
 */
function earlyOnTimeLate(early: number, late: number): Trigger<unknown> {
  const count = (ctx: TriggerContext, name: string, every: number): TriggerResult => {
    const n = (ctx.getState<number>(name) ?? 0) + 1;
    if (n >= every) {
      ctx.clearState(name);
      return 'FIRE';
    }
    ctx.setState(name, n);
    return 'CONTINUE';
  };
  return defineTrigger({
    name: `earlyOnTimeLate(${early}, ${late})`,
    canMerge: true,
    onElement: (_v, _t, w, ctx) => {
      if (w.end - 1 <= ctx.currentWatermark) return late === 0 ? 'CONTINUE' : count(ctx, 'late', late);
      ctx.registerEventTimeTimer(w.end - 1);
      return count(ctx, 'early', early);
    },
    onEventTime: (time, w) => (time === w.end - 1 ? 'FIRE' : 'CONTINUE'),
    onProcessingTime: () => 'CONTINUE',
    onMerge: (w, ctx) => {
      ctx.mergeState('early', plus);
      ctx.mergeState('late', plus);
      if (w.end - 1 > ctx.currentWatermark) ctx.registerEventTimeTimer(w.end - 1);
    },
    clear: (w, ctx) => {
      ctx.deleteEventTimeTimer(w.end - 1);
      ctx.clearState('early');
      ctx.clearState('late');
    },
  });
}

function lateCollector<T>(): { output: SideOutput<StreamRecord<T, string>>; seen: string[] } {
  const output = new SideOutput<StreamRecord<T, string>>('late');
  const seen: string[] = [];
  output.subscribe((r) => seen.push(`${String(r.value)}@${r.timestamp}`));
  return { output, seen };
}

describe('TestStreamTest (Beam Java SDK)', () => {
  it('testLateDataAccumulating: on-time pane, one late firing per late element within lateness, droppably late data counted', () => {
    // Beam also asks for early firings 2 minutes (processing time) after the first element; the
    // test never advances processing time, so there are none, and they are left out here.
    const counters = new Counters();
    const h = harness(windowOp(tumblingEventTimeWindows(5 * MINUTE), total, { allowedLateness: 5 * MINUTE, counters }));
    h.process(rec(1, 0, 'k'), rec(2, 0, 'k'), rec(3, 0, 'k'), wm(6 * MINUTE));
    expect(show(h.takeOutput())).toEqual(['k [0,300000) 6 @299999', 'W360000']);
    // Late but within lateness. Beam's late trigger (elementCountAtLeast(1)) may see both in one
    // bundle and fire once with 15; Flink asks the trigger per element: 10, then 15.
    h.process(rec(4, 0, 'k'), rec(5, 0, 'k'));
    expect(show(h.takeOutput())).toEqual(['k [0,300000) 10 @299999', 'k [0,300000) 15 @299999']);
    h.process(wm(20 * MINUTE), rec(-1, 0, 'k'), rec(-2, 0, 'k'), rec(-3, 0, 'k'));
    expect(show(h.takeOutput())).toEqual(['W1200000']);
    expect(counters.get(DROPPED_LATE)).toBe(3);
    h.end();
    expect(show(h.takeOutput())).toEqual(['WInfinity']);
  });

  it('testLateDataAccumulating with a late side output: the droppably late elements go there instead', () => {
    const counters = new Counters();
    const late = lateCollector<number>();
    const h = harness(
      windowOp(tumblingEventTimeWindows(5 * MINUTE), total, {
        allowedLateness: 5 * MINUTE,
        lateOutput: late.output,
        counters,
      }),
    );
    h.process(rec(1, 0, 'k'), rec(2, 0, 'k'), rec(3, 0, 'k'), wm(6 * MINUTE), rec(4, 0, 'k'), rec(5, 0, 'k'));
    // The lateness ends at 299999 + 300000 = 599999: a watermark there has fired the cleanup timer.
    h.process(wm(599_999), rec(-1, 0, 'k'), rec(-2, 0, 'k'), rec(-3, 0, 'k')).end();
    expect(show(h.takeOutput())).toEqual([
      'k [0,300000) 6 @299999',
      'W360000',
      'k [0,300000) 10 @299999',
      'k [0,300000) 15 @299999',
      'W599999',
      'WInfinity',
    ]);
    expect(late.seen).toEqual(['-1@0', '-2@0', '-3@0']);
    expect(counters.get(LATE_TO_SIDE_OUTPUT)).toBe(3);
    expect(counters.get(DROPPED_LATE)).toBe(0);
  });

  it('testDiscardingMode: early firing every 2 elements, on-time pane, late firings never; Flink drops the unfired late elements at cleanup', () => {
    const h = harness(
      windowOp(tumblingEventTimeWindows(1000), grouped<string>(), {
        allowedLateness: 5000,
        trigger: purgingTrigger(earlyOnTimeLate(2, 0)),
      }),
    );
    h.process(wm(0), rec('firstPane', 100, 'k'), rec('alsoFirstPane', 200, 'k'));
    expect(show(h.takeOutput())).toEqual(['W0', 'k [0,1000) firstPane alsoFirstPane @999']);
    h.process(rec('onTimePane', 500, 'k'), wm(1000));
    expect(show(h.takeOutput())).toEqual(['k [0,1000) onTimePane @999', 'W1000']);
    // Within lateness, so kept, but the trigger never fires for late elements. Beam emits them in
    // a final pane when the window is garbage-collected (ClosingBehavior FIRE_IF_NON_EMPTY); Flink's
    // cleanup clears the window without evaluating it.
    h.process(rec('finalLatePane', 750, 'k'), rec('alsoFinalLatePane', 250, 'k'));
    expect(show(h.takeOutput())).toEqual([]);
    expect(liveWindows(h)).toBe(1);
    h.end();
    expect(show(h.takeOutput())).toEqual(['WInfinity']);
    expect(liveWindows(h)).toBe(0);
  });

  it('testFirstElementLate: an element far behind the watermark is dropped, the on-time one fires at the end of input', () => {
    const counters = new Counters();
    const h = harness(windowOp(tumblingEventTimeWindows(1000), grouped<string>(), { allowedLateness: 5000, counters }));
    // [-1000000, -999000) would be cleaned up at -999001 + 5000, long before the watermark 0.
    h.process(wm(0), rec('late', -1_000_000, 'k'), rec('onTime', 100, 'k'));
    expect(counters.get(DROPPED_LATE)).toBe(1);
    expect(liveWindows(h)).toBe(1);
    h.end();
    expect(show(h.takeOutput())).toEqual(['W0', 'k [0,1000) onTime @999', 'WInfinity']);
  });

  it('testElementsAtAlmostPositiveInfinity: elements in the last 6-hour window that ends within the timestamp range fire at the end of input', () => {
    // Beam puts them at the end of its global window; here timestamps are safe integers, and the
    // last 6-hour window whose end is still a safe integer is used (see the report on the one after).
    const six = 6 * 60 * MINUTE;
    const start = Math.floor(Number.MAX_SAFE_INTEGER / six) * six - six;
    const t = start + six - 1;
    const h = harness(windowOp(tumblingEventTimeWindows(six), grouped<string>()));
    h.process(rec('foo', t, 'k'), rec('bar', t, 'k'), wm(t - 1));
    expect(show(h.takeOutput())).toEqual([`W${t - 1}`]);
    h.end();
    expect(show(h.takeOutput())).toEqual([`k [${start},${start + six}) foo bar @${t}`, 'WInfinity']);
  });

  it("testMultipleStreams: count triggers on the global window; Flink's CountTrigger repeats and never fires at the end", () => {
    const h = harness(windowOp(globalWindows(), grouped<string>(), { trigger: countTrigger(2) }));
    h.process(rec('foo', 0, 'strings'), rec('bar', 0, 'strings'));
    expect(h.recordsOut().map(([r]) => r.value)).toEqual(['foo bar']);
    // Beam's elementCountAtLeast(2) without Repeatedly is finished now; Flink's fires again, with
    // everything (it does not purge).
    h.process(rec('baz', 0, 'strings'), rec('qux', 0, 'strings'), rec('odd', 0, 'strings')).end();
    expect(h.recordsOut().map(([r]) => r.value)).toEqual(['foo bar', 'foo bar baz qux']);
    expect(h.recordsOut().map(([r]) => r.window)).toEqual([GLOBAL_WINDOW, GLOBAL_WINDOW]);

    const ints = harness(windowOp(globalWindows(), total, { trigger: countTrigger(4) }));
    ints.process(rec(1, 0, 'ints'), rec(2, 0, 'ints'), rec(3, 0, 'ints'));
    expect(ints.recordsOut()).toEqual([]);
    ints.process(rec(4, 0, 'ints')).end();
    expect(ints.recordsOut()).toEqual([
      [{ key: 'ints', window: GLOBAL_WINDOW, value: 10, pane: pane('EARLY', 0) }, GLOBAL_WINDOW.end - 1],
    ]);
  });
});

describe('processing-time early firings (TestStreamTest, trigger_test.py) under TestScheduler', () => {
  const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  type Ev = { k: string; v: number };
  const ev = (v: number, ts: number, k = 'key'): StreamRecord<Ev> => record({ k, v }, ts);
  const byK = keyBy((e: Ev) => e.k);
  const res = <R>(key: string, w: { start: number; end: number }, value: R, p: PaneInfo) =>
    keyedRecord({ key, window: w, value, pane: p }, w.end - 1, key, keyGroupOf(key));

  it('testEarlyPanesOfWindow: early panes every 5 minutes of processing time, then the on-time pane at the end of input', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const input = testStream<Ev>()
        .addElements(ev(1, 1000))
        .advanceProcessingTime(6 * MINUTE)
        .addElements(ev(2, 2000))
        .advanceProcessingTime(6 * MINUTE)
        .addElements(ev(3, 3000))
        .advanceProcessingTime(6 * MINUTE)
        .advanceWatermarkToInfinity();
      const trigger = either(eventTimeTrigger(), continuousProcessingTimeTrigger(5 * MINUTE));
      const out = input.pipe(
        byK,
        window<Ev, string>(tumblingEventTimeWindows(30 * MINUTE), { trigger, scheduler }).aggregate(
          sum((e: Ev) => e.v),
        ),
        unbatched(),
      );
      // Beam fires 5 minutes after the first element of each pane; Flink's continuous trigger fires
      // at multiples of 5 minutes. Here both give early panes 1, 3, 6 and the on-time pane 6.
      const w = { start: 0, end: 30 * MINUTE };
      expectObservable(out).toBe('300000ms p 299999ms q 299999ms r 179999ms (se|)', {
        p: res('key', w, 1, pane('EARLY', 0)),
        q: res('key', w, 3, pane('EARLY', 1)),
        r: res('key', w, 6, pane('EARLY', 2)),
        s: res('key', w, 6, pane('ON_TIME', 3, true)),
        e: END_OF_STREAM,
      });
    });
  });

  it("testProcessingTimeTrigger: the global window with early firings every 5 minutes; Flink's continuous trigger also fires when nothing new arrived", () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      // 1 and 2, 12 minutes of processing time, 3, 6 minutes, end of input.
      const input = cold('a b 719998ms c 359999ms |', { a: ev(1, 1000), b: ev(2, 2000), c: ev(3, 3000) });
      const trigger = either(eventTimeTrigger(), continuousProcessingTimeTrigger(5 * MINUTE));
      const out = input.pipe(
        batched(),
        byK,
        window<Ev, string>(globalWindows(), { trigger, scheduler }).aggregate(sum((e: Ev) => e.v)),
        unbatched(),
      );
      // Beam's early panes are 3 and 6 (a new pane waits for a new element); Flink also fires at
      // 10 minutes with 3. The event-time part fires the global window at the end of input.
      expectObservable(out).toBe('300000ms p 299999ms q 299999ms r 179999ms (se|)', {
        p: res('key', GLOBAL_WINDOW, 3, pane('EARLY', 0)),
        q: res('key', GLOBAL_WINDOW, 3, pane('EARLY', 1)),
        r: res('key', GLOBAL_WINDOW, 6, pane('EARLY', 2)),
        s: res('key', GLOBAL_WINDOW, 6, pane('ON_TIME', 3, true)),
        e: END_OF_STREAM,
      });
    });
  });

  it('test_multiple_accumulating_firings (trigger_test.py): an early firing after 5 s, then the on-time firing with all ten', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const input = testStream<Ev>()
        .advanceWatermarkTo(0) // frame 0
        .addElements(ev(1, 0), ev(2, 0), ev(3, 0), ev(4, 0), ev(5, 0))
        .advanceWatermarkTo(5000) // frame 2
        .advanceProcessingTime(5000)
        .addElements(ev(6, 5000), ev(7, 5000), ev(8, 5000), ev(9, 5000), ev(10, 5000)) // frame 5002
        .advanceWatermarkTo(10_000) // frame 5003
        .advanceProcessingTime(5000);
      const trigger = either(eventTimeTrigger(), continuousProcessingTimeTrigger(5000));
      const out = input.pipe(
        byK,
        window<Ev, string>(tumblingEventTimeWindows(10_000), { trigger, scheduler }).process(
          (es: readonly Ev[], _c, o) => o.collect(es.map((e) => e.v).join(',')),
        ),
        unbatched(),
      );
      // The watermark 10 s (>= 9999) fires the window and cleans it up (lateness 0): the
      // processing-time timer at 10 s then finds no window. Beam fires at 10 s too (10 s > 9.999 s).
      const w = { start: 0, end: 10_000 };
      expectObservable(out).toBe('w-x 4997ms p 2ms (zy) 4996ms (e|)', {
        w: watermark(0),
        x: watermark(5000),
        p: res('key', w, '1,2,3,4,5', pane('EARLY', 0)),
        z: res('key', w, '1,2,3,4,5,6,7,8,9,10', pane('ON_TIME', 1, true)),
        y: watermark(10_000),
        e: END_OF_STREAM,
      });
    });
  });

  it('test_gbk_execution_after_processing_trigger_fired (test_stream_test.py): a purging processing-time trigger fires once after 5 s', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const input = testStream<Ev>()
        .advanceWatermarkTo(10_000)
        .addElements(ev(1, 10_000, 'k'))
        .advanceProcessingTime(5100);
      const trigger = purgingTrigger(continuousProcessingTimeTrigger(5000));
      const out = input.pipe(
        byK,
        window<Ev, string>(tumblingEventTimeWindows(15_000), { trigger, scheduler }).aggregate(sum((e: Ev) => e.v)),
        unbatched(),
      );
      // Fires at 5 s with [a] and purges; the window is empty at 10 s (nothing emitted) and the end
      // of input does not fire a processing-time trigger.
      // A purging trigger's firing is the window's final pane.
      expectObservable(out).toBe('w 4999ms p 100ms (e|)', {
        w: watermark(10_000),
        p: res('k', { start: 0, end: 15_000 }, 1, pane('EARLY', 0, true)),
        e: END_OF_STREAM,
      });
    });
  });
});

describe('test_stream_test.py (Beam Python SDK), in milliseconds', () => {
  it("test_gbk_execution_no_triggers: default trigger, lateness 300 s; Flink's late firing holds the whole window", () => {
    const h = harness(windowOp(tumblingEventTimeWindows(15_000), grouped<string>(), { allowedLateness: 300_000 }));
    // Python's TestStream stamps plain elements with the current watermark.
    h.process(wm(10_000), rec('a', 10_000, 'k'), rec('b', 10_000, 'k'), rec('c', 10_000, 'k'));
    h.process(wm(20_000), rec('d', 20_000, 'k'), rec('e', 20_000, 'k'));
    expect(show(h.takeOutput())).toEqual(['W10000', 'k [0,15000) a b c @14999', 'W20000']);
    h.process(wm(300_000));
    expect(show(h.takeOutput())).toEqual(['k [15000,30000) d e @29999', 'W300000']);
    // [0, 15000) is kept until 14999 + 300000. Beam's pane (discarding by default) holds only
    // "late"; Flink's default trigger does not purge.
    h.process(rec('late', 12_000, 'k'), rec('last', 310_000, 'k'));
    expect(show(h.takeOutput())).toEqual(['k [0,15000) a b c late @14999']);
    h.end();
    expect(show(h.takeOutput())).toEqual(['k [300000,315000) last @314999', 'WInfinity']);
  });

  it('test_gbk_execution_after_watermark_trigger: early firing per element, discarding; Flink emits no empty on-time panes', () => {
    const h = harness(
      windowOp(tumblingEventTimeWindows(15_000), grouped<string>(), {
        trigger: purgingTrigger(either(eventTimeTrigger(), countTrigger(1))),
      }),
    );
    h.process(wm(10_000), rec('a', 11_000, 'k'));
    expect(show(h.takeOutput())).toEqual(['W10000', 'k [0,15000) a @14999']);
    // Beam emits an empty ON_TIME pane here; the window was purged, so Flink emits nothing.
    h.process(wm(20_000), rec('b', 21_000, 'k'));
    expect(show(h.takeOutput())).toEqual(['W20000', 'k [15000,30000) b @29999']);
    h.end();
    expect(show(h.takeOutput())).toEqual(['WInfinity']);
  });
});

describe('trigger_transcripts.yaml (Beam Python), run as the TestStream transcript suite does', () => {
  it('fixed_default: the same result for every key, whatever the order and bundling of the input', () => {
    // BaseTestStreamTranscriptTest feeds an order-agnostic transcript under several keys.
    const input = [1, 2, 3, 10, 11];
    const orders: Record<string, number[]> = {
      original: input,
      reversed: [...input].reverse(),
      reshuffled: [10, 2, 11, 1, 3],
    };
    const h = harness(windowOp(tumblingEventTimeWindows(10), total));
    for (const [key, order] of Object.entries(orders)) h.process(...order.map((t) => rec(t, t, key)));
    h.process(wm(25));
    expect(show(h.takeOutput())).toEqual([
      'original [0,10) 6 @9',
      'original [10,20) 21 @19',
      'reshuffled [0,10) 6 @9',
      'reshuffled [10,20) 21 @19',
      'reversed [0,10) 6 @9',
      'reversed [10,20) 21 @19',
      'W25',
    ]);
  });

  it("fixed_default_late_data: a late element within lateness fires the window again; the lateness boundary is Flink's", () => {
    // The transcript runner ignores allowed lateness (it defaults to 0 there), so 7 still fires a
    // late pane. In Flink, 7 is late for [0, 10) unless 9 + lateness > watermark.
    const run = (lateness: number) => {
      const counters = new Counters();
      const h = harness(
        windowOp(tumblingEventTimeWindows(10), grouped<number>(), { allowedLateness: lateness, counters }),
      );
      h.process(...[1, 2, 3, 10, 11, 25].map((t) => rec(t, t, 'k')), wm(100));
      expect(show(h.takeOutput())).toEqual(['k [0,10) 1 2 3 @9', 'k [10,20) 10 11 @19', 'k [20,30) 25 @29', 'W100']);
      h.process(rec(7, 7, 'k'));
      return { out: show(h.takeOutput()), dropped: counters.get(DROPPED_LATE) };
    };
    expect(run(0)).toEqual({ out: [], dropped: 1 });
    // Cleanup at 9 + 91 = 100 has fired at the watermark 100 (Beam would still accept: 100 < 100 is false).
    expect(run(91)).toEqual({ out: [], dropped: 1 });
    expect(run(92)).toEqual({ out: ['k [0,10) 1 2 3 7 @9'], dropped: 0 });
  });

  it('early_late_sessions: sessions of gap 10, early every 2, on time, late every 3 elements (keys key1 and key2)', () => {
    const h = harness(
      windowOp(eventTimeSessionWindows(10), grouped<number>(), {
        allowedLateness: 100,
        trigger: earlyOnTimeLate(2, 3),
      }),
    );
    // Feeds the elements under both keys; key2 must see exactly what key1 sees.
    const input = (...ts: number[]): string[] => {
      for (const key of ['key1', 'key2']) h.process(...ts.map((t) => rec(t, t, key)));
      const lines = show(h.takeOutput());
      const key1 = lines.filter((line) => line.startsWith('key1 '));
      expect(lines).toEqual([...key1, ...key1.map((line) => line.replace('key1', 'key2'))]);
      return key1;
    };
    // Beam sees [1, 2, 3] as one bundle and fires once with all three; Flink fires after 2.
    expect(input(1, 2, 3)).toEqual(['key1 [1,12) 1 2 @11']);
    expect(input(4)).toEqual(['key1 [1,14) 1 2 3 4 @13']);
    expect(input(5)).toEqual([]);
    expect(input(6)).toEqual(['key1 [1,16) 1 2 3 4 5 6 @15']);
    h.process(wm(100));
    expect(show(h.takeOutput())).toEqual(['key1 [1,16) 1 2 3 4 5 6 @15', 'key2 [1,16) 1 2 3 4 5 6 @15', 'W100']);
    // Late (within lateness 100): the third late element fires, with everything (accumulating).
    expect(input(1)).toEqual([]);
    expect(input(3, 4)).toEqual(['key1 [1,16) 1 2 3 4 5 6 1 3 4 @15']);
  });

  it('garbage_collection: a purging count trigger of 2, lateness 10; leftovers are never emitted', () => {
    const h = harness(
      windowOp(tumblingEventTimeWindows(10), grouped<number>(), {
        allowedLateness: 10,
        trigger: purgingTrigger(countTrigger(2)),
      }),
    );
    h.process(...[1, 2, 3, 10, 11, 25].map((t) => rec(t, t, 'k')));
    expect(show(h.takeOutput())).toEqual(['k [0,10) 1 2 @9', 'k [10,20) 10 11 @19']);
    // Beam's AfterCount(2) is finished for both windows; Flink's count trigger would fire again
    // after two more elements, but 3 and 25 stay alone and are cleaned up without output.
    // The count trigger ignores event time: a late element within lateness completes the pair.
    h.process(wm(15), rec(4, 4, 'k'));
    expect(show(h.takeOutput())).toEqual(['W15', 'k [0,10) 3 4 @9']);
    h.end();
    expect(show(h.takeOutput())).toEqual(['WInfinity']);
    expect(liveWindows(h)).toBe(0);
  });

  it('known_late_data_watermark / known_late_data_no_watermark_hold_possible: elements behind the watermark in a window that has not fired are on time', () => {
    const counters = new Counters();
    const h = harness(windowOp(tumblingEventTimeWindows(10), grouped<number>(), { counters }));
    h.process(wm(5), ...[2, 3, 7, 8].map((t) => rec(t, t, 'a')));
    h.process(wm(8), ...[2, 3, 7].map((t) => rec(t, t, 'b')));
    expect(show(h.takeOutput())).toEqual(['W5', 'W8']);
    // Beam needs the watermark past 9 (the transcript uses 11); Flink fires at 9.
    h.process(wm(9));
    expect(show(h.takeOutput())).toEqual(['a [0,10) 2 3 7 8 @9', 'b [0,10) 2 3 7 @9', 'W9']);
    expect(counters.get(DROPPED_LATE)).toBe(0);
  });
});

describe('ReduceFnRunnerTest (Beam runners-core)', () => {
  it('testSessionEowAndGcTogether / testFixedWindowsEowAndGcTogether: one watermark past end and cleanup fires once, then clears', () => {
    for (const assigner of [eventTimeSessionWindows(10), tumblingEventTimeWindows(10)]) {
      const h = harness(windowOp(assigner, grouped<number>(), { allowedLateness: 50 }));
      h.process(wm(0), rec(1, 1, 'k'), wm(100));
      const expected = assigner.kind === 'session' ? 'k [1,11) 1 @10' : 'k [0,10) 1 @9';
      expect(show(h.takeOutput())).toEqual(['W0', expected, 'W100']);
      expect(liveWindows(h)).toBe(0);
    }
  });

  it('testOnlyOneOnTimePane: the on-time pane, then a late pane with the accumulated sum', () => {
    const h = harness(windowOp(tumblingEventTimeWindows(10), total, { allowedLateness: 100 }));
    h.process(wm(0), rec(1, 1, 'k'), wm(10), rec(3, 3, 'k'));
    expect(h.recordsOut()).toEqual([
      [{ key: 'k', window: { start: 0, end: 10 }, value: 1, pane: pane('ON_TIME', 0) }, 9],
      [{ key: 'k', window: { start: 0, end: 10 }, value: 4, pane: pane('LATE', 1) }, 9],
    ]);
  });

  it('testFixedWindowEndOfTimeGarbageCollection: cleanup past the largest timestamp saturates; the window still fires and is dropped at the end', () => {
    const lateness = 365 * 24 * 60 * MINUTE;
    const ts = Number.MAX_SAFE_INTEGER - lateness + 1; // its window's end + lateness is beyond the range
    const start = ts - (ts % 10);
    const h = harness(windowOp(tumblingEventTimeWindows(10), total, { allowedLateness: lateness }));
    h.process(rec(13, ts, 'k'), wm(start + 9));
    // Beam's watermark at maxTimestamp does not fire the window (nothing in the ON_TIME pane); Flink's does.
    expect(show(h.takeOutput())).toEqual([`k [${start},${start + 10}) 13 @${start + 9}`, `W${start + 9}`]);
    h.process(rec(42, ts, 'k'));
    expect(show(h.takeOutput())).toEqual([`k [${start},${start + 10}) 55 @${start + 9}`]);
    h.end();
    expect(show(h.takeOutput())).toEqual(['WInfinity']);
    expect(liveWindows(h)).toBe(0);
  });

  it('testDropDataMultipleWindowsFinishedTrigger: sliding windows; Flink fires late windows again where Beam drops for a finished trigger', () => {
    const counters = new Counters();
    const h = harness(windowOp(slidingEventTimeWindows(100, 30), total, { allowedLateness: 1000, counters }));
    h.process(rec(10, 23, 'k'), rec(12, 40, 'k'), wm(70));
    expect(show(h.takeOutput())).toEqual(['k [-30,70) 22 @69', 'k [-60,40) 10 @39', 'W70']);
    // 60 is in [-30, 70) (fired: Beam drops it there and counts 1), [0, 100) and [30, 130).
    h.process(rec(14, 60, 'k'));
    expect(show(h.takeOutput())).toEqual(['k [-30,70) 36 @69']);
    h.process(wm(130));
    expect(show(h.takeOutput())).toEqual(['k [0,100) 36 @99', 'k [30,130) 26 @129', 'W130']);
    // 40 is in three fired windows, all within lateness: three late firings (Beam: 3 more dropped).
    h.process(rec(16, 40, 'k'));
    expect(show(h.takeOutput())).toEqual(['k [-30,70) 52 @69', 'k [0,100) 52 @99', 'k [30,130) 42 @129']);
    expect(counters.get(DROPPED_LATE)).toBe(0);
    // 60 was also in [60, 160) (Beam assigns it there too; its test's comment lists three windows).
    h.end();
    expect(show(h.takeOutput())).toEqual(['k [60,160) 14 @159', 'WInfinity']);
  });

  it("testMergingWithClosedDoesNotPoison, with Flink's default trigger: late elements merge into a fired session, which fires at once", () => {
    const h = harness(windowOp(eventTimeSessionWindows(10), grouped<number>(), { allowedLateness: 50 }));
    h.process(rec(2, 2, 'k'), wm(12));
    expect(show(h.takeOutput())).toEqual(['k [2,12) 2 @11', 'W12']);
    // [1, 11) merges with [2, 12) into [1, 12): its end is behind the watermark, so it fires now.
    h.process(rec(1, 1, 'k'));
    expect(show(h.takeOutput())).toEqual(['k [1,12) 2 1 @11']);
    // [3, 13) extends it to [1, 13): its last timestamp 12 is not after the watermark 12: fires now.
    h.process(rec(3, 3, 'k'));
    expect(show(h.takeOutput())).toEqual(['k [1,13) 2 1 3 @12']);
    h.process(wm(100)).end();
    expect(show(h.takeOutput())).toEqual(['W100', 'WInfinity']);
  });

  it('late bridging element (after testMergingWithClosedDoesNotPoison): two fired sessions merge into one, which fires with everything', () => {
    const counters = new Counters();
    const h = harness(windowOp(eventTimeSessionWindows(10), grouped<number>(), { allowedLateness: 50, counters }));
    h.process(rec(2, 2, 'k'), rec(20, 20, 'k'), rec(200, 2, 'other'), wm(40));
    expect(show(h.takeOutput())).toEqual(['k [2,12) 2 @11', 'k [20,30) 20 @29', 'other [2,12) 200 @11', 'W40']);
    // [11, 21) touches [2, 12) and [20, 30): one session [2, 30), cleaned up at 29 + 50.
    h.process(rec(11, 11, 'k'));
    expect(show(h.takeOutput())).toEqual(['k [2,30) 2 20 11 @29']);
    // [15, 25) lies inside [2, 30): no merge; the last moment of the lateness fires it once more.
    h.process(wm(78), rec(15, 15, 'k'));
    expect(show(h.takeOutput())).toEqual(['W78', 'k [2,30) 2 20 11 15 @29']);
    // At 79 the session is gone; [5, 15) would be cleaned up at 14 + 50: dropped.
    h.process(wm(79), rec(5, 5, 'k'));
    expect(show(h.takeOutput())).toEqual(['W79']);
    expect(counters.get(DROPPED_LATE)).toBe(1);
  });
});
