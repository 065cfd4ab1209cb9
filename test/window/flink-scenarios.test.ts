/**
 * Scenarios ported from Flink's WindowOperatorTest, EventTimeTriggerTest, CountTriggerTest,
 * ContinuousEventTimeTriggerTest and PurgingTriggerTest (flink-streaming-java, package
 * org.apache.flink.streaming.runtime.operators.windowing): same inputs and watermarks, our own code.
 */
import { describe, expect, it } from 'vitest';
import { Counters } from '../../src/core/counters.js';
import { END_OF_STREAM, type StreamRecord } from '../../src/core/elements.js';
import { SideOutput } from '../../src/rx/side-output.js';
import {
  continuousEventTimeTrigger,
  countTrigger,
  dynamicEventTimeSessionWindows,
  eventTimeSessionWindows,
  eventTimeTrigger,
  purgingTrigger,
  slidingEventTimeWindows,
  tumblingEventTimeWindows,
  tumblingProcessingTimeWindows,
  DROPPED_LATE,
  LATE_TO_SIDE_OUTPUT,
} from '../../src/window/index.js';
import { harness, reduceFn, show, sumTuples, tup, windowOp, wm, type Tuple } from './helpers.js';

/** Input of Flink's testSlidingEventTimeWindows / testTumblingEventTimeWindows (out of order). */
const flinkInput = [
  tup('key2', 1, 3999),
  tup('key2', 1, 3000),
  tup('key1', 1, 20),
  tup('key1', 1, 0),
  tup('key1', 1, 999),
  tup('key2', 1, 1998),
  tup('key2', 1, 1999),
  tup('key2', 1, 1000),
];

describe('WindowOperatorTest: sliding and tumbling event-time windows', () => {
  it('testSlidingEventTimeWindowsReduce: size 3s, slide 1s, sum', () => {
    const h = harness(windowOp(slidingEventTimeWindows(3000, 1000), reduceFn(sumTuples)));
    h.process(...flinkInput, wm(999));
    expect(show(h.takeOutput())).toEqual(['key1 [-2000,1000) 3 @999', 'W999']);
    h.process(wm(1999));
    expect(show(h.takeOutput())).toEqual(['key1 [-1000,2000) 3 @1999', 'key2 [-1000,2000) 3 @1999', 'W1999']);
    h.process(wm(2999));
    expect(show(h.takeOutput())).toEqual(['key1 [0,3000) 3 @2999', 'key2 [0,3000) 3 @2999', 'W2999']);
    h.process(wm(3999));
    expect(show(h.takeOutput())).toEqual(['key2 [1000,4000) 5 @3999', 'W3999']);
    h.process(wm(4999));
    expect(show(h.takeOutput())).toEqual(['key2 [2000,5000) 2 @4999', 'W4999']);
    h.process(wm(5999));
    expect(show(h.takeOutput())).toEqual(['key2 [3000,6000) 2 @5999', 'W5999']);
    h.process(wm(6999), wm(7999));
    expect(show(h.takeOutput())).toEqual(['W6999', 'W7999']);
  });

  it('testTumblingEventTimeWindowsReduce: size 3s, sum; results go out before the watermark that fired them', () => {
    const h = harness(windowOp(tumblingEventTimeWindows(3000), reduceFn(sumTuples)));
    h.process(...flinkInput, wm(999), wm(1999));
    expect(show(h.takeOutput())).toEqual(['W999', 'W1999']);
    h.process(wm(2999));
    const out = h.takeOutput();
    expect(out.map((e) => e.kind)).toEqual(['record', 'record', 'watermark']);
    expect(show(out)).toEqual(['key1 [0,3000) 3 @2999', 'key2 [0,3000) 3 @2999', 'W2999']);
    h.process(wm(3999), wm(4999), wm(5999));
    expect(show(h.takeOutput())).toEqual(['W3999', 'W4999', 'key2 [3000,6000) 2 @5999', 'W5999']);
  });

  it('window bounds: [start, end), end itself belongs to the next window, result timestamp end - 1', () => {
    const h = harness(windowOp(tumblingEventTimeWindows(1000), reduceFn(sumTuples)));
    h.process(tup('k', 1, 999), tup('k', 10, 1000), wm(998));
    expect(show(h.takeOutput())).toEqual(['W998']);
    h.process(wm(999));
    expect(show(h.takeOutput())).toEqual(['k [0,1000) 1 @999', 'W999']);
    h.process(wm(1999));
    expect(show(h.takeOutput())).toEqual(['k [1000,2000) 10 @1999', 'W1999']);
  });

  it('negative timestamps: floor-mod window starts (the old ts - (ts - offset + size) % size is wrong here)', () => {
    const h = harness(windowOp(tumblingEventTimeWindows(1000), reduceFn(sumTuples)));
    h.process(tup('k', 1, -1), tup('k', 2, -1000), tup('k', 4, -1001), tup('k', 8, -1500), tup('k', 16, 0));
    h.end();
    expect(show(h.takeOutput())).toEqual([
      'k [-1000,0) 3 @-1',
      'k [-2000,-1000) 12 @-1001',
      'k [0,1000) 16 @999',
      'WInfinity',
    ]);
  });

  it('offsets: positive, negative, and a day aligned to midnight UTC+8', () => {
    const plus = harness(windowOp(tumblingEventTimeWindows(1000, 300), reduceFn(sumTuples)));
    plus.process(tup('k', 1, 0), tup('k', 2, 299), tup('k', 4, 300), tup('k', 8, -701)).end();
    expect(show(plus.takeOutput())).toEqual([
      'k [-1700,-700) 8 @-701',
      'k [-700,300) 3 @299',
      'k [300,1300) 4 @1299',
      'WInfinity',
    ]);

    const minus = harness(windowOp(tumblingEventTimeWindows(1000, -300), reduceFn(sumTuples)));
    minus.process(tup('k', 1, 0), tup('k', 2, 699), tup('k', 4, 700), tup('k', 8, -301)).end();
    expect(show(minus.takeOutput())).toEqual([
      'k [-1300,-300) 8 @-301',
      'k [-300,700) 3 @699',
      'k [700,1700) 4 @1699',
      'WInfinity',
    ]);

    const day = 86_400_000;
    const hour = 3_600_000;
    const ts = Date.UTC(2024, 0, 1, 16, 30); // 2024-01-02 00:30 in UTC+8
    const local = harness(windowOp(tumblingEventTimeWindows(day, -8 * hour), reduceFn(sumTuples)));
    local.process(tup('k', 1, ts)).end();
    const start = Date.UTC(2024, 0, 1, 16, 0); // 2024-01-02 00:00 UTC+8
    expect(show(local.takeOutput())).toEqual([`k [${start},${start + day}) 1 @${start + day - 1}`, 'WInfinity']);
  });

  it('sliding windows whose slide does not divide the size', () => {
    const h = harness(windowOp(slidingEventTimeWindows(5, 2), reduceFn(sumTuples)));
    h.process(tup('k', 1, 4)).end(); // windows with start in (-1, 4], aligned to 2: 0, 2, 4
    expect(show(h.takeOutput())).toEqual(['k [0,5) 1 @4', 'k [2,7) 1 @6', 'k [4,9) 1 @8', 'WInfinity']);
  });
});

describe('WindowOperatorTest: allowed lateness, cleanup and late data', () => {
  it('a late element within lateness fires the window again at once, with all its contents (non-purging)', () => {
    const counters = new Counters();
    const h = harness(
      windowOp(tumblingEventTimeWindows(2000), reduceFn(sumTuples), { allowedLateness: 1000, counters }),
    );
    h.process(tup('k', 1, 500), wm(1999));
    expect(show(h.takeOutput())).toEqual(['k [0,2000) 1 @1999', 'W1999']);
    h.process(tup('k', 1, 600));
    expect(show(h.takeOutput())).toEqual(['k [0,2000) 2 @1999']);
    h.process(wm(2500), tup('k', 1, 700));
    expect(show(h.takeOutput())).toEqual(['W2500', 'k [0,2000) 3 @1999']);
    // Cleanup at end - 1 + lateness = 2999, without emitting.
    h.process(wm(2999));
    expect(show(h.takeOutput())).toEqual(['W2999']);
    expect((h.operator as unknown as { windowCount: number }).windowCount).toBe(0);
    h.process(tup('k', 1, 800));
    expect(show(h.takeOutput())).toEqual([]);
    expect(counters.get(DROPPED_LATE)).toBe(1);
    // Cleanup never re-fires.
    h.process(wm(10_000)).end();
    expect(show(h.takeOutput())).toEqual(['W10000', 'WInfinity']);
  });

  it('an element behind the watermark whose window has not fired yet is processed normally', () => {
    const counters = new Counters();
    const h = harness(windowOp(tumblingEventTimeWindows(2000), reduceFn(sumTuples), { counters }));
    h.process(wm(2500), tup('k', 1, 2100), wm(3999));
    expect(show(h.takeOutput())).toEqual(['W2500', 'k [2000,4000) 1 @3999', 'W3999']);
    expect(counters.get(DROPPED_LATE)).toBe(0);
  });

  it('testSideOutputDueToLatenessTumbling: late elements go to the side output, not the counter', () => {
    const counters = new Counters();
    const late = new SideOutput<StreamRecord<Tuple, string>>('late');
    const seen: string[] = [];
    late.subscribe((r) => seen.push(`${r.value[0]}@${r.timestamp}`));
    const h = harness(windowOp(tumblingEventTimeWindows(2000), reduceFn(sumTuples), { lateOutput: late, counters }));
    h.process(tup('key2', 1, 0), tup('key2', 1, 1999), wm(1999), tup('key2', 1, 1998), wm(2999)).end();
    expect(show(h.takeOutput())).toEqual(['key2 [0,2000) 2 @1999', 'W1999', 'W2999', 'WInfinity']);
    expect(seen).toEqual(['key2@1998']);
    expect(counters.get(LATE_TO_SIDE_OUTPUT)).toBe(1);
    expect(counters.get(DROPPED_LATE)).toBe(0);
  });

  it('testSideOutputDueToLatenessSliding: late only when late for every window', () => {
    const late = new SideOutput<StreamRecord<Tuple, string>>('late');
    const seen: number[] = [];
    late.subscribe((r) => seen.push(r.timestamp));
    const h = harness(windowOp(slidingEventTimeWindows(2000, 1000), reduceFn(sumTuples), { lateOutput: late }));
    h.process(tup('k', 1, 1500), wm(1999));
    expect(show(h.takeOutput())).toEqual(['k [0,2000) 1 @1999', 'W1999']);
    // 1500 again: [0,2000) is gone but [1000,3000) is not: processed, not late.
    h.process(tup('k', 1, 1500), wm(2999));
    expect(show(h.takeOutput())).toEqual(['k [1000,3000) 2 @2999', 'W2999']);
    h.process(tup('k', 1, 900)); // [-1000,1000) and [0,2000): both gone
    expect(seen).toEqual([900]);
  });

  it('testSideOutputDueToLatenessSessionZeroLateness: a session window that would already be cleaned up', () => {
    const late = new SideOutput<StreamRecord<Tuple, string>>('late');
    const seen: number[] = [];
    late.subscribe((r) => seen.push(r.timestamp));
    const h = harness(windowOp(eventTimeSessionWindows(1000), reduceFn(sumTuples), { lateOutput: late }));
    h.process(tup('k', 1, 0), wm(999));
    expect(show(h.takeOutput())).toEqual(['k [0,1000) 1 @999', 'W999']);
    // [500,1500) ends after the watermark: a new session, not late (Flink does the same).
    h.process(tup('k', 1, 500), tup('k', 1, -600));
    expect(seen).toEqual([-600]);
    h.end();
    expect(show(h.takeOutput())).toEqual(['k [500,1500) 1 @1499', 'WInfinity']);
  });

  it('testCleanupTimerWithEmptyReduceStateForTumblingWindows: purging trigger + lateness, cleanup emits nothing', () => {
    const h = harness(
      windowOp(tumblingEventTimeWindows(2000), reduceFn(sumTuples), {
        allowedLateness: 1000,
        trigger: purgingTrigger(eventTimeTrigger()),
      }),
    );
    h.process(tup('k', 1, 500), wm(1999));
    expect(show(h.takeOutput())).toEqual(['k [0,2000) 1 @1999', 'W1999']);
    h.process(tup('k', 5, 600)); // purged before: the late firing holds only the new element
    expect(show(h.takeOutput())).toEqual(['k [0,2000) 5 @1999']);
    h.process(wm(2999), wm(5000));
    expect(show(h.takeOutput())).toEqual(['W2999', 'W5000']);
  });

  it('lateness 0: the firing timer and the cleanup timer are one timer: the window fires once', () => {
    let calls = 0;
    const h = harness(
      windowOp(
        tumblingEventTimeWindows(1000),
        reduceFn((a: Tuple, b: Tuple) => {
          calls++;
          return sumTuples(a, b);
        }),
      ),
    );
    h.process(tup('k', 1, 1), tup('k', 1, 2), wm(999), wm(1999), wm(5000));
    expect(show(h.takeOutput())).toEqual(['k [0,1000) 2 @999', 'W999', 'W1999', 'W5000']);
    expect(calls).toBe(1);
  });

  it('saturating cleanup: lateness Infinity keeps windows until the end of input, which fires then drops them', () => {
    const h = harness(windowOp(tumblingEventTimeWindows(1000), reduceFn(sumTuples), { allowedLateness: Infinity }));
    h.process(tup('k', 1, 1), wm(999), tup('k', 1, 2), wm(1_000_000), tup('k', 1, 3));
    expect(show(h.takeOutput())).toEqual([
      'k [0,1000) 1 @999',
      'W999',
      'k [0,1000) 2 @999',
      'W1000000',
      'k [0,1000) 3 @999',
    ]);
    h.end();
    expect(show(h.takeOutput())).toEqual(['WInfinity']);
    expect((h.operator as unknown as { windowCount: number }).windowCount).toBe(0);
  });

  it('end of input fires every event-time window, then cleans up, then forwards the watermark', () => {
    const h = harness(windowOp(tumblingEventTimeWindows(1000), reduceFn(sumTuples), { allowedLateness: 5000 }));
    h.process(tup('a', 1, 10), tup('b', 1, 5000), tup('a', 1, 9000));
    h.process(END_OF_STREAM);
    expect(show(h.takeOutput())).toEqual([
      'a [0,1000) 1 @999',
      'a [9000,10000) 1 @9999',
      'b [5000,6000) 1 @5999',
      'WInfinity',
    ]);
    expect((h.operator as unknown as { windowCount: number; keyCount: number }).keyCount).toBe(0);
  });
});

describe('WindowOperatorTest: session windows', () => {
  it('testSessionWindows: merge on overlap, fire at end - 1 of the merged session', () => {
    const h = harness(windowOp(eventTimeSessionWindows(3000), reduceFn(sumTuples)));
    h.process(tup('key2', 1, 0), tup('key2', 2, 1000), tup('key2', 3, 2500));
    h.process(tup('key1', 1, 10), tup('key1', 2, 1000));
    h.process(wm(3999));
    expect(show(h.takeOutput())).toEqual(['key1 [10,4000) 3 @3999', 'W3999']);
    h.process(tup('key2', 4, 5501), tup('key2', 5, 6000), tup('key2', 5, 6000), tup('key2', 6, 6050));
    h.process(wm(12_000));
    // 5501 does not touch [0, 5500): a new session, which later elements extend.
    expect(show(h.takeOutput())).toEqual(['key2 [0,5500) 6 @5499', 'key2 [5501,9050) 20 @9049', 'W12000']);
  });

  it('two elements exactly gap apart are one session (touching windows merge)', () => {
    const h = harness(windowOp(eventTimeSessionWindows(3000), reduceFn(sumTuples)));
    h.process(tup('k', 1, 10_000), tup('k', 2, 13_000), tup('k', 4, 16_001)).end();
    expect(show(h.takeOutput())).toEqual(['k [10000,16000) 3 @15999', 'k [16001,19001) 4 @19000', 'WInfinity']);
  });

  it('an element inside an existing session does not change it; one bridging two sessions merges them', () => {
    const h = harness(windowOp(eventTimeSessionWindows(10), reduceFn(sumTuples)));
    h.process(tup('k', 1, 0), tup('k', 2, 5), tup('k', 4, 30), tup('k', 8, 12), tup('k', 16, 22)).end();
    expect(show(h.takeOutput())).toEqual(['k [0,40) 31 @39', 'WInfinity']);
  });

  it('testLateMergingWindows: a late element within lateness bridges two fired sessions; the merged session fires at once', () => {
    const counters = new Counters();
    const h = harness(windowOp(eventTimeSessionWindows(10), reduceFn(sumTuples), { allowedLateness: 100, counters }));
    h.process(tup('k', 1, 0), tup('k', 2, 20), wm(29));
    expect(show(h.takeOutput())).toEqual(['k [0,10) 1 @9', 'k [20,30) 2 @29', 'W29']);
    h.process(tup('k', 4, 10)); // [10,20) touches both
    expect(show(h.takeOutput())).toEqual(['k [0,30) 7 @29']);
    h.process(wm(128));
    expect(show(h.takeOutput())).toEqual(['W128']);
    h.process(wm(129)); // cleanup at 29 + 100, without emitting
    expect(show(h.takeOutput())).toEqual(['W129']);
    h.process(tup('k', 8, 15));
    expect(counters.get(DROPPED_LATE)).toBe(1);
    h.end();
    expect(show(h.takeOutput())).toEqual(['WInfinity']);
  });

  it("a dynamic-gap session whose new window equals an existing merged session keeps both elements (Flink's MergingWindowSet orphans the earlier state there; docs/windows.md)", () => {
    // 1 at 0 and 2 at 5 (gap 10) merge into [0, 15); 4 at 0 has gap 15: its window is [0, 15) too.
    const gapOf = (t: Tuple): number => (t[1] === 4 ? 15 : 10);
    const h = harness(windowOp(dynamicEventTimeSessionWindows(gapOf), reduceFn(sumTuples)));
    h.process(tup('k', 1, 0), tup('k', 2, 5), tup('k', 4, 0), tup('k', 8, 20)).end();
    expect(show(h.takeOutput())).toEqual(['k [0,15) 7 @14', 'k [20,30) 8 @29', 'WInfinity']);
  });

  it('merged sessions keep the count trigger state (CountTrigger.onMerge merges counts)', () => {
    const h = harness(windowOp(eventTimeSessionWindows(10), reduceFn(sumTuples), { trigger: countTrigger(3) }));
    h.process(tup('k', 1, 0), tup('k', 2, 20));
    expect(show(h.takeOutput())).toEqual([]);
    h.process(tup('k', 4, 10)); // merged session now has 3 elements
    expect(show(h.takeOutput())).toEqual(['k [0,30) 7 @29']);
  });
});

describe('trigger tests', () => {
  it('CountTriggerTest: fires every n elements of a window, never at the window end', () => {
    const h = harness(windowOp(tumblingEventTimeWindows(1000), reduceFn(sumTuples), { trigger: countTrigger(2) }));
    h.process(tup('k', 1, 1), tup('k', 2, 2));
    expect(show(h.takeOutput())).toEqual(['k [0,1000) 3 @999']);
    h.process(tup('k', 4, 3), tup('k', 8, 1001), tup('k', 16, 4));
    expect(show(h.takeOutput())).toEqual(['k [0,1000) 23 @999']); // does not purge: 1 + 2 + 4 + 16
    h.process(wm(5000)).end();
    expect(show(h.takeOutput())).toEqual(['W5000', 'WInfinity']);
  });

  it('PurgingTriggerTest: fire becomes fire-and-purge', () => {
    const h = harness(
      windowOp(tumblingEventTimeWindows(1000), reduceFn(sumTuples), { trigger: purgingTrigger(countTrigger(2)) }),
    );
    h.process(tup('k', 1, 1), tup('k', 2, 2), tup('k', 4, 3), tup('k', 8, 4), tup('k', 16, 5)).end();
    expect(h.recordsOut().map(([r]) => (r.value as Tuple)[1])).toEqual([3, 12]);
  });

  it('ContinuousEventTimeTriggerTest: early firings every interval, aligned, then at the window end', () => {
    const h = harness(
      windowOp(tumblingEventTimeWindows(10_000), reduceFn(sumTuples), { trigger: continuousEventTimeTrigger(2000) }),
    );
    h.process(tup('k', 1, 500), wm(1999));
    expect(show(h.takeOutput())).toEqual(['W1999']);
    h.process(wm(2000));
    expect(show(h.takeOutput())).toEqual(['k [0,10000) 1 @9999', 'W2000']);
    h.process(tup('k', 2, 2500), wm(4500));
    expect(show(h.takeOutput())).toEqual(['k [0,10000) 3 @9999', 'W4500']);
    h.process(wm(9999)); // 6000, 8000 and the end 9999 (one timer with the clamped next firing)
    expect(show(h.takeOutput())).toEqual([
      'k [0,10000) 3 @9999',
      'k [0,10000) 3 @9999',
      'k [0,10000) 3 @9999',
      'W9999',
    ]);
    h.process(wm(20_000));
    expect(show(h.takeOutput())).toEqual(['W20000']);
  });

  it('ContinuousEventTimeTrigger aligns negative timestamps with floor-mod', () => {
    const h = harness(
      windowOp(tumblingEventTimeWindows(10_000), reduceFn(sumTuples), { trigger: continuousEventTimeTrigger(2000) }),
    );
    h.process(tup('k', 1, -9500), wm(-8001));
    expect(show(h.takeOutput())).toEqual(['W-8001']);
    h.process(wm(-8000));
    expect(show(h.takeOutput())).toEqual(['k [-10000,0) 1 @-1', 'W-8000']);
  });

  it('EventTimeTriggerTest: timers are deduplicated per key, window and time', () => {
    const h = harness(windowOp(tumblingEventTimeWindows(1000), reduceFn(sumTuples)));
    for (let i = 0; i < 100; i++) h.process(tup('k', 1, i));
    h.process(wm(999));
    expect(show(h.takeOutput())).toEqual(['k [0,1000) 100 @999', 'W999']);
  });
});

describe('WindowOperatorTest: more scenarios', () => {
  it('testPointSessions: elements at the same timestamp and a gap of 3 s form one session each', () => {
    const h = harness(windowOp(eventTimeSessionWindows(3000), reduceFn(sumTuples)));
    h.process(tup('key2', 1, 0), tup('key2', 2, 33), tup('key1', 1, 0), tup('key1', 3, 2500), tup('key1', 5, 6000));
    h.process(wm(2999));
    expect(show(h.takeOutput())).toEqual(['W2999']);
    h.process(wm(3032));
    expect(show(h.takeOutput())).toEqual(['key2 [0,3033) 3 @3032', 'W3032']);
    h.process(wm(10_000));
    expect(show(h.takeOutput())).toEqual(['key1 [0,5500) 4 @5499', 'key1 [6000,9000) 5 @8999', 'W10000']);
  });

  it('testSessionWindowsWithCountTrigger: a purging count trigger on sessions fires every n elements of the merged session', () => {
    const h = harness(
      windowOp(eventTimeSessionWindows(3000), reduceFn(sumTuples), { trigger: purgingTrigger(countTrigger(4)) }),
    );
    h.process(tup('key2', 1, 0), tup('key2', 2, 1000), tup('key2', 3, 2500), tup('key2', 4, 3500));
    expect(show(h.takeOutput())).toEqual(['key2 [0,6500) 10 @6499']);
    h.process(tup('key2', 5, 4000), tup('key2', 6, 4500), tup('key2', 7, 5500), tup('key2', 8, 7000));
    expect(show(h.takeOutput())).toEqual(['key2 [0,10000) 26 @9999']);
    h.process(wm(12_000)).end();
    expect(show(h.takeOutput())).toEqual(['W12000', 'WInfinity']);
  });

  it('testLateness with sessions: a late element within lateness extends a fired session, which fires again at once', () => {
    const h = harness(windowOp(eventTimeSessionWindows(10), reduceFn(sumTuples), { allowedLateness: 50 }));
    h.process(tup('k', 1, 0), wm(20));
    expect(show(h.takeOutput())).toEqual(['k [0,10) 1 @9', 'W20']);
    h.process(tup('k', 2, 5)); // [5, 15) extends [0, 10) to [0, 15), whose end is behind the watermark: fires at once
    expect(show(h.takeOutput())).toEqual(['k [0,15) 3 @14']);
    h.process(tup('k', 4, 8)); // [8, 18) extends it to [0, 18)
    expect(show(h.takeOutput())).toEqual(['k [0,18) 7 @17']);
    h.process(wm(67), tup('k', 8, 2)); // [0, 18) was cleaned up at 17 + 50 = 67; [2, 12) is late: dropped
    expect(show(h.takeOutput())).toEqual(['W67']);
    h.process(tup('k', 16, 9)); // [9, 19) is not late (18 + 50 > 67): a new session, which fires at once
    expect(show(h.takeOutput())).toEqual(['k [9,19) 16 @18']);
  });

  it('testDropDueToLatenessSliding with lateness: the same element may be late for one window and on time for another', () => {
    const counters = new Counters();
    const h = harness(
      windowOp(slidingEventTimeWindows(3000, 1000), reduceFn(sumTuples), { allowedLateness: 500, counters }),
    );
    h.process(tup('k', 1, 1500), wm(3400));
    // [-1000, 2000) fired at 1999, [0, 3000) at 2999; [1000, 4000) not yet.
    expect(show(h.takeOutput())).toEqual(['k [-1000,2000) 1 @1999', 'k [0,3000) 1 @2999', 'W3400']);
    h.process(tup('k', 2, 1200));
    // [-1000, 2000) was cleaned at 2499; [0, 3000) is within lateness: re-fires; [1000, 4000) just collects.
    expect(show(h.takeOutput())).toEqual(['k [0,3000) 3 @2999']);
    h.process(wm(4000));
    expect(show(h.takeOutput())).toEqual(['k [1000,4000) 3 @3999', 'W4000']);
    expect(counters.get(DROPPED_LATE)).toBe(0);
  });
});

describe('event-time trigger on processing-time windows', () => {
  it('fires on the watermark; the processing-time cleanup is not confused with an event-time timer', () => {
    const h = harness(
      windowOp(tumblingProcessingTimeWindows(1000), reduceFn(sumTuples), { trigger: eventTimeTrigger() }),
      0,
    );
    h.process(tup('k', 1, 0), tup('k', 2, 0)); // processing time 0: window [0, 1000)
    h.process(wm(999));
    expect(show(h.takeOutput())).toEqual(['k [0,1000) 3 @999', 'W999']);
    h.process(tup('k', 4, 0)); // still processing time 0: same window, watermark past its end: fires at once
    expect(show(h.takeOutput())).toEqual(['k [0,1000) 7 @999']);
    h.advanceProcessingTime(999); // processing-time cleanup
    h.process(tup('k', 8, 0));
    expect(show(h.takeOutput())).toEqual(['k [0,1000) 8 @999']);
  });
});
