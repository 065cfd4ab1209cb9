import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import {
  Counters,
  END_OF_STREAM,
  InvalidOptionError,
  SideOutput,
  type InvalidRecord,
  boundedOutOfOrderness,
  customWatermarks,
  monotonousTimestamps,
  record,
  watermark,
  withEventTime,
  withEventTimeBatches,
} from '../../src/index.js';
import { unbatched } from '../../src/testing/index.js';

// Issue 10, "watermark cadence": a bounded strategy could only emit on its 200 ms timer, and
// withPeriod(0) silently left it without watermarks until the end of input. Flink's WatermarkGenerator
// contract lets onEvent emit; onEveryEvent() makes the bounded generators do so.

interface Event {
  id: string;
  at: number;
}
const ev = (id: string, at: number): Event => ({ id, at });
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const timestamp = (e: Event) => e.at;

describe('watermark cadence', () => {
  it('onEveryEvent: a bounded strategy emits max - delay - 1 right after each event that raises the max', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = ev('a', 1000),
        b = ev('b', 1500),
        c = ev('c', 1200);
      const input = hot<Event>('a 9ms b 9ms c 9ms |', { a, b, c });
      const out = input.pipe(
        withEventTime({ timestamp, watermarks: boundedOutOfOrderness<Event>(100).onEveryEvent() }),
        unbatched(),
      );
      // c does not raise the max: no watermark after it; no timer emission either.
      expectObservable(out).toBe('(aw) 6ms (bx) 6ms c 9ms (e|)', {
        a: record(a, 1000),
        w: watermark(899),
        b: record(b, 1500),
        x: watermark(1399),
        c: record(c, 1200),
        e: END_OF_STREAM,
      });
    });
  });

  it('withPeriod(0) means the same as onEveryEvent (it used to emit nothing until the end of input)', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = ev('a', 10),
        b = ev('b', 20);
      const input = hot<Event>('a 9ms b 9ms |', { a, b });
      const out = input.pipe(
        withEventTime({ timestamp, watermarks: monotonousTimestamps<Event>().withPeriod(0) }),
        unbatched(),
      );
      expectObservable(out).toBe('(aw) 6ms (bx) 6ms (e|)', {
        a: record(a, 10),
        w: watermark(9),
        b: record(b, 20),
        x: watermark(19),
        e: END_OF_STREAM,
      });
    });
  });

  it('onEveryBatch: one watermark after each input array whose events raised it', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = ev('a', 1000),
        b = ev('b', 1500),
        c = ev('c', 1200);
      const input = hot<Event[]>('x 9ms y 9ms |', { x: [a, b], y: [c] });
      const out = input.pipe(
        withEventTimeBatches({ timestamp, watermarks: boundedOutOfOrderness<Event>(100).onEveryBatch() }),
        unbatched(),
      );
      expectObservable(out).toBe('(abw) 5ms c 9ms (e|)', {
        a: record(a, 1000),
        b: record(b, 1500),
        w: watermark(1399),
        c: record(c, 1200),
        e: END_OF_STREAM,
      });
    });
  });

  it('onEveryEvent keeps the period for idleness', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = ev('a', 10);
      const input = hot<Event>('a 999ms |', { a });
      const strategy = boundedOutOfOrderness<Event>(0).withPeriod(100).withIdleness(200).onEveryEvent();
      const out = input.pipe(withEventTime({ timestamp, watermarks: strategy }), unbatched());
      // Emission after a at 0 sees its activity; the timer's at 100 starts the inactivity clock; at 400, 300 ms > 200 ms: idle.
      expectObservable(out).toBe('(aw) 396ms i 599ms (je|)', {
        a: record(a, 10),
        w: watermark(9),
        i: { kind: 'status', idle: true },
        j: { kind: 'status', idle: false },
        e: END_OF_STREAM,
      });
    });
  });

  it('a custom generator with period 0 has its onPeriodicEmit run after every event', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = ev('a', 50);
      const input = hot<Event>('a 9ms |', { a });
      const lagging = customWatermarks<Event>(() => {
        let last = -Infinity;
        return {
          onEvent: (_e, ts) => {
            last = Math.max(last, ts);
          },
          onPeriodicEmit: (o) => o.emitWatermark(last - 10),
        };
      }, 0);
      expectObservable(input.pipe(withEventTime({ timestamp, watermarks: lagging }), unbatched())).toBe(
        '(aw) 6ms (e|)',
        {
          a: record(a, 50),
          w: watermark(40),
          e: END_OF_STREAM,
        },
      );
    });
  });

  it('cadence changes which records are late: a sooner watermark makes c late that the 200 ms timer lets through', () => {
    const a = ev('a', 1000),
      b = ev('b', 1500),
      c = ev('c', 1200);
    // Periodic (200 ms): no watermark has been emitted when c arrives at 20 ms, so c is on time.
    const periodic = new Counters();
    const perEvent = new Counters();
    newScheduler().run(({ hot, expectObservable }) => {
      const input = hot<Event>('a 9ms b 9ms c 9ms |', { a, b, c });
      expectObservable(
        input.pipe(
          withEventTime({ timestamp, watermarks: boundedOutOfOrderness<Event>(200), counters: periodic }),
          unbatched(),
        ),
      ).toBe('a 9ms b 9ms c 9ms (e|)', {
        a: record(a, 1000),
        b: record(b, 1500),
        c: record(c, 1200),
        e: END_OF_STREAM,
      });
    });
    // Every event: b raises the watermark to 1299 at once, and c (1200) arrives behind it: late.
    newScheduler().run(({ hot, expectObservable }) => {
      const input = hot<Event>('a 9ms b 9ms c 9ms |', { a, b, c });
      expectObservable(
        input.pipe(
          withEventTime({
            timestamp,
            watermarks: boundedOutOfOrderness<Event>(200).onEveryEvent(),
            counters: perEvent,
          }),
          unbatched(),
        ),
      ).toBe('(aw) 6ms (bx) 6ms c 9ms (e|)', {
        a: record(a, 1000),
        w: watermark(799),
        b: record(b, 1500),
        x: watermark(1299),
        c: record(c, 1200),
        e: END_OF_STREAM,
      });
    });
    expect(periodic.get('lateRecords')).toBe(0);
    expect(perEvent.get('lateRecords')).toBe(1);
  });

  it('onEveryEvent: invalid timestamps go to the invalid side output and late records are counted, as on the other cadences', () => {
    const invalid = new SideOutput<InvalidRecord<Event>>('invalid');
    const seenInvalid: unknown[] = [];
    invalid.subscribe((i) => seenInvalid.push(i.timestamp));
    const counters = new Counters();
    const a = ev('a', 1000),
      bad = ev('bad', Number.NaN),
      c = ev('c', 100);
    newScheduler().run(({ hot, expectObservable }) => {
      const input = hot<Event>('a 9ms b 9ms c 9ms |', { a, b: bad, c });
      const strategy = boundedOutOfOrderness<Event>(100).onEveryEvent();
      expectObservable(
        input.pipe(withEventTime({ timestamp, watermarks: strategy, invalid, counters }), unbatched()),
      ).toBe('(aw) 16ms c 9ms (e|)', {
        a: record(a, 1000),
        w: watermark(899),
        c: record(c, 100),
        e: END_OF_STREAM,
      });
    });
    expect(seenInvalid).toEqual([Number.NaN]);
    expect(counters.get('lateRecords')).toBe(1);
  });

  it('an unknown cadence is refused with an error naming the option', () => {
    expect(
      () =>
        new (boundedOutOfOrderness<Event>(0).constructor as never as new (...a: unknown[]) => unknown)(
          () => ({}),
          200,
          undefined,
          true,
          'sometimes',
        ),
    ).toThrow(InvalidOptionError);
  });
});
