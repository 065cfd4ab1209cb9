import { describe, expect, it } from 'vitest';
import { firstValueFrom, from, of, toArray, type Observable, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  ArrayInputError,
  Counters,
  END_OF_STREAM,
  InvalidOptionError,
  InvalidTimestampError,
  SideOutput,
  boundedOutOfOrderness,
  count,
  customWatermarks,
  keyBy,
  monotonousTimestamps,
  toValues,
  tumblingEventTimeWindows,
  window,
  punctuatedWatermarks,
  record,
  watermark,
  withEventTime,
  withEventTimeBatches,
  type InvalidRecord,
  type StreamBatch,
  type StreamElement,
  type StreamRecord,
} from '../../src/index.js';
import { ACTIVE, IDLE } from '../../src/engine/index.js';
import { unbatched } from '../../src/testing/index.js';

interface Event {
  id: string;
  at: number;
}
const ev = (id: string, at: number): Event => ({ id, at });
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('withEventTime: periodic watermarks under TestScheduler', () => {
  // Flink's BoundedOutOfOrdernessWatermarks: watermark = max timestamp - delay - 1, on each periodic emit.
  it('bounded out-of-orderness emits max - delay - 1 every period, only when it increases', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = ev('a', 1000),
        b = ev('b', 1500),
        c = ev('c', 1200);
      const input = hot<Event>('a 99ms b 99ms c 499ms |', { a, b, c });
      const out = input.pipe(
        withEventTime({ timestamp: (e: Event) => e.at, watermarks: boundedOutOfOrderness<Event>(100).withPeriod(200) }),
        unbatched(),
      );
      // a at 0, b at 100, c at 200; periodic emits at 200 (after c: max 1500 -> 1399), 400, 600 (no change).
      expectObservable(out).toBe('a 99ms b 99ms (cw) 496ms (e|)', {
        a: record(a, 1000),
        b: record(b, 1500),
        c: record(c, 1200),
        w: watermark(1399),
        e: END_OF_STREAM,
      });
    });
  });

  it('monotonous timestamps: watermark = max - 1, default period 200 ms', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = ev('a', 10);
      const input = hot<Event>('a 299ms |', { a });
      const out = input.pipe(
        withEventTime({ timestamp: (e: Event) => e.at, watermarks: monotonousTimestamps<Event>() }),
        unbatched(),
      );
      expectObservable(out).toBe('a 199ms w 99ms (e|)', { a: record(a, 10), w: watermark(9), e: END_OF_STREAM });
    });
  });

  it('a synchronous burst gets periodic watermarks from the batch-end check, not only from the timer', () => {
    // A source that never yields: the scheduled periodic timer cannot run, but processing time moves
    // 150 ms per value, and the check after each value emits when the period has passed.
    let clock = 0;
    const scheduler = {
      now: () => clock,
      schedule: () => ({ unsubscribe: () => undefined }),
    } as unknown as SchedulerLike;
    const seen: StreamElement<Event>[] = [];
    from([ev('a', 100), ev('b', 200), ev('c', 300)])
      .pipe(
        withEventTime({
          timestamp: (e: Event) => {
            clock += 150;
            return e.at;
          },
          watermarks: boundedOutOfOrderness<Event>(0),
          scheduler,
        }),
        unbatched(),
      )
      .subscribe((e) => seen.push(e));
    // Period 200: due at 200; after b the clock is 300 -> watermark 200 - 0 - 1; next due at 500 (c at 450: not yet).
    expect(seen.filter((e) => e.kind === 'watermark')).toEqual([watermark(199), END_OF_STREAM]);
  });

  it('punctuated watermarks follow the record that carries them, with no periodic emission', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = ev('a', 5),
        hb = ev('heartbeat', 50);
      const input = hot<Event>('a 999ms h 999ms |', { a, h: hb });
      const out = input.pipe(
        withEventTime({
          timestamp: (e: Event) => e.at,
          watermarks: punctuatedWatermarks<Event>((e) => (e.id === 'heartbeat' ? e.at : undefined)),
        }),
        unbatched(),
      );
      expectObservable(out).toBe('a 999ms (hw) 996ms (e|)', {
        a: record(a, 5),
        h: record(hb, 50),
        w: watermark(50),
        e: END_OF_STREAM,
      });
    });
  });

  it('a custom generator never makes the watermark go backwards', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const proposals = [30, 10, 40];
      const input = hot<Event>('a 599ms |', { a: ev('a', 100) });
      const out = input.pipe(
        withEventTime({
          timestamp: (e: Event) => e.at,
          watermarks: customWatermarks<Event>(
            () => ({
              onEvent: () => undefined,
              onPeriodicEmit: (o) => {
                const p = proposals.shift();
                if (p !== undefined) o.emitWatermark(p);
              },
            }),
            200,
          ),
        }),
        unbatched(),
      );
      expectObservable(out).toBe('a 199ms x 399ms (e|)', {
        a: record(ev('a', 100), 100),
        x: watermark(30),
        e: END_OF_STREAM,
      });
    });
  });
});

describe('withEventTime: idleness (Flink WatermarksWithIdleness / IdlenessTimer)', () => {
  it('marks the input idle at the first periodic emit more than the timeout after inactivity began; a record reactivates it', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const a = ev('a', 1000),
        b = ev('b', 2000);
      // Records at 0 and 1000 ms; period 100, idle timeout 250.
      const input = hot<Event>('a 999ms b 99ms |', { a, b });
      const out = input.pipe(
        withEventTime({
          timestamp: (e: Event) => e.at,
          watermarks: boundedOutOfOrderness<Event>(0).withPeriod(100).withIdleness(250),
        }),
        unbatched(),
      );
      // Emit at 100 sees activity (-> watermark 999). Inactivity starts at 200; 300, 400 are within 250; 500 > 200+250: idle.
      // The record at 1000 makes the input active again before the record itself.
      // The periodic emit due at 1000 runs after the record of that frame.
      expectObservable(out).toBe('a 99ms w 399ms i 499ms (Abx) 95ms (e|)', {
        a: record(a, 1000),
        w: watermark(999),
        i: IDLE,
        A: ACTIVE,
        b: record(b, 2000),
        x: watermark(1999),
        e: END_OF_STREAM,
      });
    });
  });

  it('refuses idleness without periodic emission, naming the option', () => {
    expect(() => boundedOutOfOrderness(0).withPeriod(0).withIdleness(100)).toThrow(InvalidOptionError);
    expect(() => boundedOutOfOrderness(0).withPeriod(0).withIdleness(100)).toThrow(/idleTimeout/);
  });
});

describe('withEventTime: bad input', () => {
  const cases: [string, unknown, RegExp][] = [
    ['missing', undefined, /missing/],
    ['null', null, /missing/],
    ['NaN', Number.NaN, /NaN/],
    ['infinite', Infinity, /infinite/],
    ['a string', '1000', /not a number but a string/],
    ['a Date', new Date(0), /getTime/],
    ['a fraction', 12.5, /not an integer/],
    ['unsafe', 2 ** 60, /MAX_SAFE_INTEGER/],
  ];
  it.each(cases)('a %s timestamp fails with an InvalidTimestampError naming the element', async (_name, ts, reason) => {
    const value = { id: 'order-17', ts };
    const run = firstValueFrom(
      of(value).pipe(
        withEventTime({ timestamp: (v: typeof value) => v.ts as number, watermarks: monotonousTimestamps() }),
        toArray(),
      ),
    );
    await expect(run).rejects.toBeInstanceOf(InvalidTimestampError);
    await expect(run).rejects.toThrow(reason);
    await expect(run).rejects.toThrow(/order-17/);
  });

  it('routes invalid timestamps to a side output and counts them, losing nothing', async () => {
    const invalid = new SideOutput<InvalidRecord<Event>>();
    const counters = new Counters();
    const diverted: InvalidRecord<Event>[] = [];
    invalid.subscribe((r) => diverted.push(r));
    const events = [ev('a', 1), { id: 'bad', at: Number.NaN }, ev('c', 3)];
    const out = await firstValueFrom(
      of(events).pipe(
        withEventTimeBatches({
          timestamp: (e: Event) => e.at,
          watermarks: monotonousTimestamps<Event>(),
          invalid,
          counters,
        }),
        unbatched(),
        toArray(),
      ),
    );
    expect(out.filter((e) => e.kind === 'record').map((e) => (e as StreamRecord<Event>).value.id)).toEqual(['a', 'c']);
    expect(diverted).toEqual([{ value: events[1], timestamp: Number.NaN, reason: 'the timestamp is NaN' }]);
    expect(counters.get('invalidTimestamps')).toBe(1);
    expect(invalid.count).toBe(1);
  });

  it('refuses invalid strategy options at construction, naming the option', () => {
    expect(() => boundedOutOfOrderness(-1)).toThrow(/maxOutOfOrderness/);
    expect(() => boundedOutOfOrderness(1.5)).toThrow(InvalidOptionError);
    expect(() => monotonousTimestamps().withPeriod(-5)).toThrow(/period/);
    expect(() => monotonousTimestamps().withIdleness(0)).toThrow(/idleTimeout/);
  });
});

describe('withEventTimeBatches', () => {
  it('turns each array into one batch and ends with watermark +infinity', async () => {
    const batches: StreamBatch<Event>[] = await firstValueFrom(
      from([[ev('a', 1), ev('b', 2)], [ev('c', 3)]]).pipe(
        withEventTimeBatches({ timestamp: (e: Event) => e.at, watermarks: monotonousTimestamps<Event>() }),
        toArray(),
      ),
    );
    expect(batches.map((b) => b.length)).toEqual([2, 1, 1]);
    expect(batches[2]).toEqual([END_OF_STREAM]);
  });
});

describe('withEventTime: more bad input', () => {
  it.each([
    ['a bigint', 10n, /bigint: convert it/],
    ['an object', { ms: 5 }, /not a number but a object/],
    ['a boolean', true, /not a number but a boolean/],
    ['an invalid Date', new Date(Number.NaN), /getTime/],
  ])('a timestamp that is %s fails with an InvalidTimestampError naming the element', async (_name, ts, reason) => {
    const value = { id: 'order-18', ts };
    const run = firstValueFrom(
      of(value).pipe(
        withEventTime({
          timestamp: (v: typeof value) => v.ts as unknown as number,
          watermarks: monotonousTimestamps(),
        }),
        toArray(),
      ),
    );
    await expect(run).rejects.toBeInstanceOf(InvalidTimestampError);
    await expect(run).rejects.toThrow(reason);
    await expect(run).rejects.toThrow(/order-18/);
  });

  it('a string timestamp gets a hint to parse it', async () => {
    const run = firstValueFrom(
      of('2024-01-01').pipe(
        withEventTime({ timestamp: (s: string) => s as unknown as number, watermarks: monotonousTimestamps() }),
      ),
    );
    await expect(run).rejects.toThrow(/Date\.parse/);
  });

  // Issue 11: an Observable of arrays given to withEventTime read `c.at` as Array.prototype.at and
  // failed with "not a number but a function", naming no operator.
  it('an Observable of arrays fails with ArrayInputError naming withEventTimeBatches', async () => {
    interface Click {
      page: string;
      at: number;
    }
    const batches$ = of<Click[]>([
      { page: '/home', at: 5 },
      { page: '/cart', at: 7 },
    ]);
    const run = firstValueFrom(
      batches$.pipe(withEventTime({ timestamp: (c: Click) => c.at, watermarks: monotonousTimestamps() }) as never),
    );
    await expect(run).rejects.toBeInstanceOf(ArrayInputError);
    await expect(run).rejects.toBeInstanceOf(InvalidTimestampError);
    await expect(run).rejects.toThrow(
      /not a number but a function\. The element is an array: .* use withEventTimeBatches/,
    );
    await expect(run).rejects.toThrow(/\/home/);
  });

  it('an Observable of arrays fails with ArrayInputError in the fused window pipeline too', async () => {
    interface Click {
      page: string;
      at: number;
    }
    const batches$ = of<Click[]>([{ page: '/home', at: 5 }]);
    const run = firstValueFrom(
      (batches$ as never as Observable<Click>).pipe(
        withEventTime({ timestamp: (c: Click) => c.at, watermarks: monotonousTimestamps() }),
        keyBy((c) => c.page),
        window(tumblingEventTimeWindows(10)).aggregate(count()),
        toValues(),
      ),
    );
    await expect(run).rejects.toBeInstanceOf(ArrayInputError);
    await expect(run).rejects.toThrow(/use withEventTimeBatches/);
  });

  it('a stream of tuples with a valid timestamp is not mistaken for batches', async () => {
    const out = await firstValueFrom(
      from<[number, string][]>([
        [5, 'a'],
        [7, 'b'],
      ]).pipe(
        withEventTime({ timestamp: ([ts]: [number, string]) => ts, watermarks: monotonousTimestamps() }),
        unbatched(),
        toArray(),
      ),
    );
    expect(out.filter((e) => e.kind === 'record')).toEqual([record([5, 'a'], 5), record([7, 'b'], 7)]);
  });
});
