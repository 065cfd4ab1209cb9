/**
 * The RxJS faces of the event-time core: options fail where the pipeline is built, timers live
 * exactly as long as the subscription, errors end the stream, and mergeTimed's edges.
 */
import { describe, expect, it } from 'vitest';
import { EMPTY, NEVER, Subject, firstValueFrom, of, throwError, toArray, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  END_OF_STREAM,
  InvalidOptionError,
  InvalidWatermarkError,
  SideOutput,
  boundedOutOfOrderness,
  customWatermarks,
  mergeTimed,
  monotonousTimestamps,
  noWatermarks,
  punctuatedWatermarks,
  record,
  watermark,
  withEventTime,
  withEventTimeBatches,
  type StreamBatch,
  type StreamElement,
  type StreamRecord,
} from '../../src/index.js';
import { ACTIVE, IDLE } from '../../src/engine/index.js';
import { unbatched } from '../../src/testing/index.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const id = (v: number): number => v;

describe('withEventTime: options fail where the operator is built, naming the option', () => {
  const strategy = monotonousTimestamps<number>();
  const cases: [string, () => unknown, RegExp][] = [
    ['no options', () => withEventTime(undefined as never), /options/],
    [
      'a timestamp that is not a function',
      () => withEventTime({ timestamp: 'at' as never, watermarks: strategy }),
      /option timestamp/,
    ],
    ['missing watermarks', () => withEventTime({ timestamp: id } as never), /option watermarks/],
    [
      'watermarks that are not a strategy',
      () => withEventTime({ timestamp: id, watermarks: { period: 200 } as never }),
      /option watermarks/,
    ],
    [
      'an invalid side output that is not one',
      () => withEventTime({ timestamp: id, watermarks: strategy, invalid: (() => undefined) as never }),
      /option invalid/,
    ],
    [
      'a late side output that is not one',
      () => withEventTime({ timestamp: id, watermarks: strategy, late: {} as never }),
      /option late/,
    ],
    [
      'counters that are not Counters',
      () => withEventTime({ timestamp: id, watermarks: strategy, counters: {} as never }),
      /option counters/,
    ],
    [
      'a scheduler that is not one',
      () => withEventTime({ timestamp: id, watermarks: strategy, scheduler: {} as never }),
      /option scheduler/,
    ],
    [
      'batches: a timestamp that is not a function',
      () => withEventTimeBatches({ timestamp: 5 as never, watermarks: strategy }),
      /option timestamp/,
    ],
    ['a punctuated rule that is not a function', () => punctuatedWatermarks(undefined as never), /option watermarkFor/],
    ['a custom factory that is not a function', () => customWatermarks({} as never), /option createGenerator/],
    [
      'a custom period that is not a number',
      () => customWatermarks(() => ({ onEvent: () => undefined, onPeriodicEmit: () => undefined }), '200' as never),
      /option period/,
    ],
    ['an infinite period', () => boundedOutOfOrderness(0).withPeriod(Infinity), /option period/],
    ['a NaN idle timeout', () => boundedOutOfOrderness(0).withIdleness(Number.NaN), /option idleTimeout/],
    ['a negative delay', () => boundedOutOfOrderness(-1), /option maxOutOfOrderness/],
  ];
  it.each(cases)('%s', (_name, build, message) => {
    expect(build).toThrow(InvalidOptionError);
    expect(build).toThrow(message);
  });
});

describe('withEventTime: the periodic timer lives as long as the subscription', () => {
  it('a source that never completes is tested with an unsubscription marble; the timer stops there', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const input = hot<number>('a 149ms b', { a: 100, b: 300 });
      const out = input.pipe(
        withEventTime({ timestamp: id, watermarks: monotonousTimestamps<number>().withPeriod(100) }),
        unbatched(),
      );
      // No END_OF_STREAM: the input did not end; unsubscribing at 450 ms cancels the timer, or run() would never return.
      expectObservable(out, '^ 449ms !').toBe('a 99ms x 49ms b 49ms y', {
        a: record(100, 100),
        x: watermark(99),
        b: record(300, 300),
        y: watermark(299),
      });
    });
    expect(scheduler.actions).toHaveLength(0);
  });

  it('an input that fails cancels the timer and forwards its error', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const input = cold<number>('a 249ms #', { a: 10 }, new Error('socket closed'));
      const out = input.pipe(
        withEventTime({ timestamp: id, watermarks: monotonousTimestamps<number>().withPeriod(100) }),
        unbatched(),
      );
      expectObservable(out).toBe(
        'a 99ms w 149ms #',
        { a: record(10, 10), w: watermark(9) },
        new Error('socket closed'),
      );
    });
    expect(scheduler.actions).toHaveLength(0);
  });

  it('a generator that throws in its periodic emission fails the stream with that error', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const input = hot<number>('a 999ms |', { a: 1 });
      const broken = customWatermarks<number>(
        () => ({
          onEvent: () => undefined,
          onPeriodicEmit: () => {
            throw new Error('generator bug');
          },
        }),
        100,
      );
      const out = input.pipe(withEventTime({ timestamp: id, watermarks: broken }), unbatched());
      expectObservable(out).toBe('a 99ms #', { a: record(1, 1) }, new Error('generator bug'));
    });
  });

  it('a generator proposing NaN fails the stream with an InvalidWatermarkError', async () => {
    const nan = customWatermarks<number>(
      () => ({ onEvent: (_v, _t, o) => o.emitWatermark(Number.NaN), onPeriodicEmit: () => undefined }),
      0,
    );
    await expect(
      firstValueFrom(of(1).pipe(withEventTime({ timestamp: id, watermarks: nan }), toArray())),
    ).rejects.toBeInstanceOf(InvalidWatermarkError);
  });

  it('a timestamp extractor that throws fails the stream with its own error', async () => {
    const run = firstValueFrom(
      of({}).pipe(
        withEventTime({
          timestamp: () => {
            throw new TypeError('no field');
          },
          watermarks: noWatermarks<object>(),
        }),
        toArray(),
      ),
    );
    await expect(run).rejects.toThrow('no field');
  });

  it('each subscription has its own generator: a second run starts from scratch', async () => {
    const input$ = of(5, 9, 7).pipe(
      withEventTime({ timestamp: id, watermarks: punctuatedWatermarks<number>((v) => v - 1) }),
      unbatched(),
      toArray(),
    );
    const first = await firstValueFrom(input$);
    const second = await firstValueFrom(input$);
    expect(second).toEqual(first);
    expect(first).toEqual([record(5, 5), watermark(4), record(9, 9), watermark(8), record(7, 7), END_OF_STREAM]);
  });

  it('a late side output receives the records behind the watermark instead of the main output', async () => {
    const late = new SideOutput<StreamRecord<number>>();
    const seen: unknown[] = [];
    late.subscribe((r) => seen.push(r));
    const out = await firstValueFrom(
      of(5, 9, 7, 8, 10).pipe(
        withEventTime({ timestamp: id, watermarks: punctuatedWatermarks<number>((v) => v - 1), late }),
        unbatched(),
        toArray(),
      ),
    );
    // After 9 the watermark is 8: 7 and 8 are at or behind it (Flink: timestamp <= watermark is late).
    expect(seen).toEqual([record(7, 7), record(8, 8)]);
    expect(out.filter((e) => e.kind === 'record')).toEqual([record(5, 5), record(9, 9), record(10, 10)]);
  });
});

describe('mergeTimed: edges', () => {
  it('merges inputs of different value types into their union', async () => {
    const words = of('a').pipe(withEventTime({ timestamp: () => 1, watermarks: noWatermarks<string>() }));
    const numbers = of(2).pipe(withEventTime({ timestamp: id, watermarks: noWatermarks<number>() }));
    const merged: Observable<StreamBatch<string | number>> = mergeTimed(words, numbers);
    const out = await firstValueFrom(merged.pipe(unbatched(), toArray()));
    expect(out).toEqual([record('a', 1), record(2, 2), END_OF_STREAM]);
  });

  it('no inputs: the end of event time, then completion', async () => {
    expect(await firstValueFrom(mergeTimed().pipe(unbatched(), toArray()))).toEqual([END_OF_STREAM]);
  });

  it('one input: passes through unchanged', async () => {
    const batches = [
      [record('x', 1), watermark(1)],
      [IDLE],
      [ACTIVE, record('y', 2)],
      [END_OF_STREAM],
    ] as StreamBatch<string>[];
    expect(await firstValueFrom(mergeTimed(of(...batches)).pipe(toArray()))).toEqual(batches);
  });

  it('refuses an input that is not an Observable, at the call', () => {
    expect(() => mergeTimed(EMPTY, [] as never)).toThrow(/inputs\[1\]/);
  });

  it('an input that fails ends the merge with its error and unsubscribes the others', () => {
    const other = new Subject<StreamBatch<number>>();
    let error: unknown;
    mergeTimed(
      other,
      throwError(() => new Error('boom')),
    ).subscribe({
      error: (e: unknown) => {
        error = e;
      },
    });
    expect((error as Error).message).toBe('boom');
    expect(other.observed).toBe(false);
  });

  it('an input that fails synchronously keeps the later inputs from being subscribed at all', () => {
    const later = new Subject<StreamBatch<number>>();
    mergeTimed(
      throwError(() => new Error('early')),
      later,
    ).subscribe({ error: () => undefined });
    expect(later.observed).toBe(false);
  });

  it('stays open while any input is open, even if the others are done', () => {
    const open = new Subject<StreamBatch<number>>();
    const seen: StreamElement<number>[] = [];
    let done = false;
    mergeTimed(of([record(1, 1)] as StreamBatch<number>), open, NEVER as Observable<StreamBatch<number>>).subscribe({
      next: (b) => seen.push(...b),
      complete: () => {
        done = true;
      },
    });
    open.next([watermark(50)]);
    open.complete();
    expect(seen).toEqual([record(1, 1)]); // the NEVER input holds the watermark at -infinity
    expect(done).toBe(false);
  });
});
