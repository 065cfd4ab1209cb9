/**
 * Event time end to end: two timed inputs merged, one of them falling silent, into an event-time
 * window. With idleness the window fires on the busy input's progress; without it, only when the
 * silent input ends. This is the reason `withIdleness` exists (Flink docs, "Dealing With Idle Sources").
 */
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import {
  boundedOutOfOrderness,
  count,
  mergeTimed,
  toValues,
  tumblingEventTimeWindows,
  windowAll,
  withEventTime,
} from '../../src/index.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('merged inputs into an event-time window', () => {
  it('with withIdleness, the silent input stops holding back the window', () => {
    const out: { frame: number; value: string }[] = [];
    const scheduler = newScheduler();
    scheduler.run(({ hot, flush }) => {
      const strategy = boundedOutOfOrderness<number>(0).withPeriod(100).withIdleness(300);
      const busy = hot<number>('a 299ms b 299ms c 299ms d 299ms e 299ms f 299ms |', {
        a: 0,
        b: 300,
        c: 600,
        d: 900,
        e: 1200,
        f: 1500,
      });
      const quiet = hot<number>('q 1799ms |', { q: 10 });
      mergeTimed(
        busy.pipe(withEventTime({ timestamp: (v: number) => v, watermarks: strategy })),
        quiet.pipe(withEventTime({ timestamp: (v: number) => v, watermarks: strategy })),
      )
        .pipe(windowAll(tumblingEventTimeWindows(1_000)).aggregate(count()), toValues())
        .subscribe((r) =>
          out.push({ frame: scheduler.now(), value: `[${r.window.start},${r.window.end}) ${r.value}` }),
        );
      flush();
    });
    // quiet goes idle at 600 (inactive since the emit at 200, and 600 - 200 > 300). busy's record 1200
    // makes its watermark 1199 at the periodic emit of frame 1200: window [0,1000) (0, 10, 300, 600, 900) fires then.
    expect(out).toEqual([
      { frame: 1200, value: '[0,1000) 5' },
      { frame: 1800, value: '[1000,2000) 2' },
    ]);
  });

  it('without idleness, the window waits for the silent input to end', () => {
    const out: { frame: number; value: string }[] = [];
    const scheduler = newScheduler();
    scheduler.run(({ hot, flush }) => {
      const strategy = boundedOutOfOrderness<number>(0).withPeriod(100);
      const busy = hot<number>('a 299ms b 299ms c 299ms d 299ms e 299ms f 299ms |', {
        a: 0,
        b: 300,
        c: 600,
        d: 900,
        e: 1200,
        f: 1500,
      });
      const quiet = hot<number>('q 1799ms |', { q: 10 });
      mergeTimed(
        busy.pipe(withEventTime({ timestamp: (v: number) => v, watermarks: strategy })),
        quiet.pipe(withEventTime({ timestamp: (v: number) => v, watermarks: strategy })),
      )
        .pipe(windowAll(tumblingEventTimeWindows(1_000)).aggregate(count()), toValues())
        .subscribe((r) =>
          out.push({ frame: scheduler.now(), value: `[${r.window.start},${r.window.end}) ${r.value}` }),
        );
      flush();
    });
    // quiet's watermark stays at 9, so the merged watermark does too, until both inputs end at 1800.
    expect(out).toEqual([
      { frame: 1800, value: '[0,1000) 5' },
      { frame: 1800, value: '[1000,2000) 2' },
    ]);
  });
});
