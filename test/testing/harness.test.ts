/**
 * OperatorHarness state and chains, as Flink's AbstractStreamOperatorTestHarness: snapshot(), then a
 * new harness, initializeState(snapshot), and the test continues; several operators chained in one
 * harness; count windows at engine level and through the RxJS operator.
 */
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  count,
  countWindow,
  keyBy,
  MissingUidError,
  record,
  toValues,
  UnclaimedStateError,
  watermark,
  type StreamElement,
} from '../../src/index.js';
import {
  KeyByOperator,
  keyedRecord,
  keyGroupOf,
  RollingReduceOperator,
  WindowOperator,
  type OperatorRuntime,
  type StreamOperator,
} from '../../src/engine/index.js';
import { chain, HarnessStateError, OperatorHarness, testStream, timestamped } from '../../src/testing/index.js';
import {
  countEvictor,
  countTrigger,
  globalWindows,
  purgingTrigger,
  sum,
  tumblingEventTimeWindows,
  tumblingProcessingTimeWindows,
  type WindowResult,
} from '../../src/window/index.js';

const k = (value: number, ts: number, key = 'k') => keyedRecord(value, ts, key, keyGroupOf(key));
const sums = (uid: string | undefined) => (runtime: OperatorRuntime) =>
  new WindowOperator<number, string, number>(
    {
      keyed: true,
      assigner: tumblingEventTimeWindows(1000),
      fn: { kind: 'aggregate', aggregate: sum((v: number) => v) },
      uid,
    },
    runtime,
  );
const results = (out: readonly StreamElement<WindowResult<string, number>, string>[]): string[] =>
  out.flatMap((e) => (e.kind === 'record' ? [`${e.value.key}@${e.value.window.start}=${String(e.value.value)}`] : []));

describe('OperatorHarness: snapshot() and initializeState()', () => {
  it('snapshot, new harness, initializeState, continue: the same output as a harness that never stopped', () => {
    const input = [k(1, 100), k(2, 900, 'j'), k(3, 1200)];
    const rest = [k(4, 1500, 'j'), k(5, 300), watermark(2999)];
    const whole = new OperatorHarness(sums('sums')).process(...input, ...rest);

    const first = new OperatorHarness(sums('sums')).process(...input);
    const snapshot = first.snapshot();
    const second = new OperatorHarness(sums('sums')).initializeState(snapshot).process(...rest);

    expect(results(second.takeOutput())).toEqual(results(whole.takeOutput()));
    expect(Object.keys(snapshot.operators)).toEqual(['sums']);
    // The snapshot shares nothing with the running operator: more input does not change it.
    first.process(k(100, 200));
    const again = new OperatorHarness(sums('sums')).initializeState(snapshot).process(watermark(999));
    expect(results(again.takeOutput()).sort()).toEqual(['j@0=2', 'k@0=1']);
  });

  it('pending processing-time timers are state: the restored harness fires them when its clock reaches them', () => {
    const create = (runtime: OperatorRuntime) =>
      new WindowOperator<number, string, number>(
        {
          keyed: true,
          assigner: tumblingProcessingTimeWindows(1000),
          fn: { kind: 'reduce', reduce: (a, b) => a + b },
          uid: 'pt',
        },
        runtime,
      );
    const first = new OperatorHarness(create, { startTime: 100 }).process(k(1, 0), k(2, 0));
    expect(first.pendingTimers).toBe(1);
    const second = new OperatorHarness(create, { startTime: first.now }).initializeState(first.snapshot());
    second.advanceProcessingTime(998);
    expect(second.recordsOut()).toEqual([]);
    second.advanceProcessingTime(999);
    expect(results(second.takeOutput())).toEqual(['k@0=3']);
  });

  it('typed errors: initializeState after the first element, state nobody claims, state without a uid', () => {
    const used = new OperatorHarness(sums('sums')).process(k(1, 1));
    expect(() => used.initializeState(used.snapshot())).toThrow(HarnessStateError);
    expect(() => new OperatorHarness(sums('other')).initializeState(used.snapshot())).toThrow(UnclaimedStateError);
    expect(() => new OperatorHarness(sums(undefined)).process(k(1, 1)).snapshot()).toThrow(MissingUidError);
  });
});

describe('OperatorHarness over a chain of engine operators', () => {
  const words = () =>
    chain(
      () => new KeyByOperator((w: string) => w),
      (runtime) =>
        new WindowOperator<string, string, number>(
          {
            keyed: true,
            assigner: tumblingEventTimeWindows(1000),
            fn: { kind: 'aggregate', aggregate: count() },
            uid: 'counts',
          },
          runtime,
        ),
      (runtime) =>
        new RollingReduceOperator<WindowResult<string, number>, string>(
          (a, b) => ({ ...b, value: a.value + b.value }),
          { uid: 'running' },
          runtime,
        ),
    );

  it('keyBy, a window and a rolling reduce run as one; snapshot and restore cover every part under its uid', () => {
    const first = new OperatorHarness(words()).process(
      record('a', 1),
      record('b', 2),
      record('a', 3),
      watermark(999),
      record('a', 1001),
    );
    expect(first.recordsOut().map(([r]) => `${r.key}=${r.value}`)).toEqual(['a=2', 'b=1']);
    const snapshot = first.snapshot();
    expect(Object.keys(snapshot.operators).sort()).toEqual(['counts', 'running']);
    const second = new OperatorHarness(words()).initializeState(snapshot).process(record('a', 1002), watermark(1999));
    // The window [1000, 2000) holds a@1001 from before the snapshot; the running total adds to 2.
    expect(second.recordsOut().map(([r]) => `${r.key}=${r.value}`)).toEqual(['a=4']);
  });

  it('what a processing-time timer of one part emits goes through the parts after it', () => {
    const tenfold: StreamOperator<WindowResult<string, number>, string, number, string> = {
      processRecord: (r, out) => out.push({ ...r, value: r.value.value * 10 }),
    };
    const harness = new OperatorHarness(
      chain(
        (runtime) =>
          new WindowOperator<number, string, number>(
            {
              keyed: true,
              assigner: tumblingProcessingTimeWindows(100),
              fn: { kind: 'reduce', reduce: (a, b) => a + b },
            },
            runtime,
          ),
        () => tenfold,
      ),
    );
    harness.process(k(1, 0), k(2, 0)).advanceProcessingTime(99);
    expect(harness.recordsOut()).toEqual([[30, 99]]);
  });
});

describe('count windows at engine level and through the RxJS operator', () => {
  const counted = (slide?: number) => (runtime: OperatorRuntime) =>
    new WindowOperator<number, string, number>(
      {
        keyed: true,
        assigner: globalWindows(),
        // countWindow(3) is a purging count trigger; countWindow(3, slide) a count trigger with a count evictor.
        ...(slide === undefined
          ? { trigger: purgingTrigger(countTrigger(3)) }
          : { trigger: countTrigger(slide), evictor: countEvictor(3) }),
        fn: { kind: 'aggregate', aggregate: sum((v: number) => v) },
        uid: 'counts',
      },
      runtime,
    );
  const values = [1, 2, 3, 4, 5, 6, 7];

  it('tumbling countWindow(3): every 3 elements of a key, never a partial window at the end (engine)', () => {
    const harness = new OperatorHarness(counted()).process(...values.map((v) => k(v, v))).end();
    expect(harness.recordsOut().map(([r]) => r.value)).toEqual([6, 15]);
  });

  it('sliding countWindow(3, 2): the last 3 elements every 2 (engine), across a snapshot and restore', () => {
    const first = new OperatorHarness(counted(2)).process(...values.slice(0, 3).map((v) => k(v, v)));
    const second = new OperatorHarness(counted(2))
      .initializeState(first.snapshot())
      .process(...values.slice(3).map((v) => k(v, v)))
      .end();
    // Fires after 2, 4, 6 elements: [1,2], [2,3,4], [4,5,6].
    expect([...first.recordsOut(), ...second.recordsOut()].map(([r]) => r.value)).toEqual([3, 9, 15]);
  });

  it('the RxJS countWindow gives what the engine gives, fed by a testStream', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ expectObservable }) => {
      const input = testStream<number>().addElements(...values.map((v) => timestamped(v, v)));
      const tumbling = input.pipe(
        keyBy(() => 'k'),
        countWindow(3).aggregate(sum((v: number) => v)),
        toValues(),
        map((r) => r.value),
      );
      const sliding = input.pipe(
        keyBy(() => 'k'),
        countWindow(3, 2).aggregate(sum((v: number) => v)),
        toValues(),
        map((r) => r.value),
      );
      expectObservable(tumbling).toBe('(ab|)', { a: 6, b: 15 });
      expectObservable(sliding).toBe('(abc|)', { a: 3, b: 9, c: 15 });
    });
  });
});
