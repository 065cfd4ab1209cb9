/**
 * testStream(), after Beam's TestStream (org.apache.beam.sdk.testing.TestStream): a scripted timed
 * stream under TestScheduler, in front of keyBy, window, keyedProcess and mergeTimed.
 */
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  END_OF_STREAM,
  InvalidOptionError,
  InvalidTimestampError,
  count,
  keyBy,
  keyedProcess,
  mergeTimed,
  record,
  sum,
  toValues,
  tumblingEventTimeWindows,
  tumblingProcessingTimeWindows,
  valueState,
  watermark,
  window,
} from '../../src/index.js';
import {
  TestStreamStepError,
  WatermarkRegressionError,
  testStream,
  timestamped,
  unbatched,
} from '../../src/testing/index.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('testStream: the builder', () => {
  it('advanceWatermarkTo moves forward only: a smaller watermark is a WatermarkRegressionError naming both', () => {
    const stream = testStream<string>().advanceWatermarkTo(100);
    expect(stream.advanceWatermarkTo(100).currentWatermark).toBe(100); // staying is not moving back (Beam allows it)
    const error = (() => {
      try {
        stream.advanceWatermarkTo(99);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(WatermarkRegressionError);
    expect(error).toMatchObject({ watermark: 99, currentWatermark: 100, code: 'WATERMARK_REGRESSION' });
    expect((error as Error).message).toMatch(/advanceWatermarkTo\(99\).*already at 100/);
  });

  it('rejects bad steps with typed errors: timestamps, watermarks, processing-time advances, steps after the end', () => {
    expect(() => testStream<string>().addElements({ value: 'a', timestamp: 1.5 })).toThrow(InvalidTimestampError);
    expect(() => testStream<string>().addElements('a' as never)).toThrow(InvalidTimestampError);
    expect(() => testStream().advanceWatermarkTo(Number.NaN)).toThrow(InvalidOptionError);
    expect(() => testStream().advanceWatermarkTo(Infinity)).toThrow(/advanceWatermarkToInfinity/);
    expect(() => testStream().advanceProcessingTime(0)).toThrow(InvalidOptionError);
    expect(() => testStream().advanceWatermarkToInfinity().addElements(timestamped(1, 1))).toThrow(TestStreamStepError);
    expect(() => testStream().resumeAt(3)).toThrow(/position/);
  });

  it('is immutable: each step returns a new stream, and each subscription runs the steps anew', () => {
    const base = testStream<number>().addElements(timestamped(1, 1));
    const longer = base.advanceWatermarkTo(5);
    expect(base.steps).toHaveLength(1);
    expect(longer.steps).toHaveLength(2);
    newScheduler().run(({ expectObservable }) => {
      expectObservable(longer.pipe(unbatched())).toBe('a(w|)', { a: record(1, 1), w: watermark(5) });
      expectObservable(longer.pipe(unbatched())).toBe('a(w|)', { a: record(1, 1), w: watermark(5) });
    });
  });
});

describe('testStream: timing under TestScheduler', () => {
  it('one frame per step, one batch per addElements, advanceProcessingTime(ms) in place of the frame', () => {
    newScheduler().run(({ expectObservable }) => {
      const input = testStream<string>()
        .addElements(timestamped('a', 1), { value: 'b', timestamp: 2 }) // frame 0
        .advanceWatermarkTo(10) // frame 1
        .advanceProcessingTime(100)
        .addElements(timestamped('c', 3)) // frame 101
        .advanceWatermarkToInfinity(); // frame 102, then complete
      expectObservable(input).toBe('ab 99ms c(e|)', {
        a: [record('a', 1), record('b', 2)],
        b: [watermark(10)],
        c: [record('c', 3)],
        e: [END_OF_STREAM],
      });
    });
  });

  it('completes at the frame of its last step; a trailing processing-time advance delays completion', () => {
    newScheduler().run(({ expectObservable }) => {
      expectObservable(testStream<string>().addElements(timestamped('a', 1)).pipe(unbatched())).toBe('(a|)', {
        a: record('a', 1),
      });
      expectObservable(testStream<string>().advanceProcessingTime(50).pipe(unbatched())).toBe('50ms |');
    });
  });

  it('a checkpointAndRestore step fails a plain subscription with TestStreamStepError (it needs runWithRestore or a coordinator)', () => {
    const scheduler = newScheduler();
    const seen: unknown[] = [];
    let failure: unknown;
    let failedAt = -1;
    scheduler.run(() => {
      testStream<string>()
        .addElements(timestamped('a', 1))
        .checkpointAndRestore()
        .pipe(unbatched())
        .subscribe({
          next: (e) => seen.push(e),
          error: (e: unknown) => {
            failure = e;
            failedAt = scheduler.now();
          },
        });
    });
    expect(seen).toEqual([record('a', 1)]);
    expect(failure).toBeInstanceOf(TestStreamStepError);
    expect(failure).toMatchObject({
      step: 1,
      message: expect.stringMatching(/checkpointAndRestore\(\).*runWithRestore/) as unknown,
    });
    expect(failedAt).toBe(1);
  });
});

describe('testStream in front of the operators', () => {
  it('keyBy + event-time window: a window fires at the watermark step, a late element is dropped (Beam testLateDataAccumulating, Flink semantics)', () => {
    newScheduler().run(({ expectObservable }) => {
      const input = testStream<{ user: string }>()
        .addElements(
          timestamped({ user: 'u1' }, 100),
          timestamped({ user: 'u2' }, 1200),
          timestamped({ user: 'u1' }, 900),
        )
        .advanceWatermarkTo(999) // frame 1: reaches end - 1 of [0, 1000), which fires (Flink)
        .addElements(timestamped({ user: 'u1' }, 500)) // late: dropped, no allowed lateness
        .addElements(timestamped({ user: 'u1' }, 1500))
        .advanceWatermarkToInfinity(); // frame 4
      const counts = input.pipe(
        keyBy((e) => e.user),
        window(tumblingEventTimeWindows(1000)).aggregate(count()),
        toValues(),
        map((r) => `${String(r.key)}@${r.window.start}=${r.value}`),
      );
      expectObservable(counts).toBe('-a--(bc|)', { a: 'u1@0=2', b: 'u2@1000=1', c: 'u1@1000=1' });
    });
  });

  it('processing-time windows fire when advanceProcessingTime moves the clock past their end', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const input = testStream<number>()
        .addElements(timestamped(1, 0), timestamped(2, 0)) // frame 0
        .advanceProcessingTime(1500) // [0, 1000) fires at 999
        .addElements(timestamped(4, 0)); // frame 1500, in [1000, 2000), which never fires: the input ends first
      const sums = input.pipe(
        keyBy(() => 'all'),
        window(tumblingProcessingTimeWindows(1000), { scheduler }).aggregate(sum((v: number) => v)),
        toValues(),
        map((r) => r.value),
      );
      expectObservable(sums).toBe('999ms x 500ms |', { x: 3 });
    });
  });

  it('keyedProcess: an event-time timer fires at the watermark step that reaches it, keyed state survives between steps', () => {
    const last = valueState<number>('last');
    newScheduler().run(({ expectObservable }) => {
      const input = testStream<number>()
        .addElements(timestamped(1, 10), timestamped(2, 20))
        .advanceWatermarkTo(50)
        .advanceWatermarkTo(110)
        .advanceWatermarkTo(120)
        .advanceWatermarkToInfinity();
      const out = input.pipe(
        keyBy((v) => v % 2),
        keyedProcess<number, number, string>(
          {
            processElement(value, ctx) {
              ctx.getState(last).update(value);
              ctx.timerService.registerEventTimeTimer(ctx.timestamp + 100);
            },
            onTimer(time, ctx) {
              ctx.output(`${time}:${ctx.getState(last).value()}`);
            },
          },
          { uid: 'p' },
        ),
        toValues(),
      );
      // Timers at 110 (key 1) and 120 (key 0), each fired by the watermark step that reaches it.
      expectObservable(out).toBe('--ab|', { a: '110:1', b: '120:2' });
    });
  });

  it('mergeTimed: the merged watermark is the minimum of the two test streams', () => {
    newScheduler().run(({ expectObservable }) => {
      const fast = testStream<string>()
        .addElements(timestamped('f', 5))
        .advanceWatermarkTo(100)
        .advanceWatermarkTo(300);
      const slow = testStream<string>().advanceProcessingTime(1).advanceWatermarkTo(200);
      const merged = mergeTimed(fast, slow).pipe(unbatched());
      // Frame 0: f. Frame 1: fast at 100, slow at 200, so 100; slow then completes (its last step),
      // which leaves fast alone. Frame 2: fast at 300, and its completion ends the merged stream.
      expectObservable(merged).toBe('a b (cd|)', {
        a: record('f', 5),
        b: watermark(100),
        c: watermark(300),
        d: END_OF_STREAM,
      });
    });
  });
});
