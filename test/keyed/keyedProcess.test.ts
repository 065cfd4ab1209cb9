import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { firstValueFrom, of, toArray } from 'rxjs';
import {
  END_OF_STREAM,
  InvalidOptionError,
  NotKeyedError,
  SideOutput,
  record,
  toValues,
  valueState,
  watermark,
  StateNotSerializableError,
  type Key,
  type StreamElement,
  type ValueState,
} from '../../src/index.js';
import { keyGroupOf, keyedRecord } from '../../src/engine/index.js';
import {
  keyBy,
  keyedProcess,
  KeyedProcessOperator,
  ProcessContextClosedError,
  processValues,
  type KeyedProcessFunction,
  type KeyedProcessOptions,
} from '../../src/keyed/index.js';
import { batched, OperatorHarness } from '../../src/testing/index.js';
import type { PendingCheckpoint } from '../../src/core/checkpointing.js';

const FULL: PendingCheckpoint = {
  checkpointId: 1,
  incremental: false,
  report: () => {},
  hold: () => () => {},
  onComplete: () => {},
};

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
/** A record keyed by its own value, as Flink's tests use an IdentityKeySelector. */
const ik = (value: number, ts: number) => keyedRecord(value, ts, value, keyGroupOf(value));
const kr = <T, K extends Key>(value: T, ts: number, key: K) => keyedRecord(value, ts, key, keyGroupOf(key));

function harness<T, K extends Key, R>(
  fn: KeyedProcessFunction<T, K, R>,
  options: KeyedProcessOptions = { uid: 'p' },
  startTime = 0,
) {
  return new OperatorHarness((rt) => new KeyedProcessOperator<T, K, R>(fn, options, rt), { startTime });
}

const seen = valueState<number>('seen-element');

/** Flink's TriggeringFlatMapFunction: echoes, registers a timer 5 after watermark/processing time. */
const triggering = (domain: 'EVENT_TIME' | 'PROCESSING_TIME'): KeyedProcessFunction<number, number, number> => ({
  processElement(value, ctx) {
    ctx.output(value);
    if (domain === 'EVENT_TIME') ctx.timerService.registerEventTimeTimer(ctx.currentWatermark + 5);
    else ctx.timerService.registerProcessingTimeTimer(ctx.currentProcessingTime() + 5);
  },
  onTimer(_time, ctx) {
    expect(ctx.timeDomain).toBe(domain);
    ctx.output(1777);
  },
});

/** Flink's TriggeringStatefulFlatMapFunction: remembers the element, reports it from the timer. */
const triggeringStateful = (
  domain: 'EVENT_TIME' | 'PROCESSING_TIME',
): KeyedProcessFunction<number, number, string> => ({
  processElement(value, ctx) {
    ctx.output(`INPUT:${value}`);
    ctx.getState(seen).update(value);
    if (domain === 'EVENT_TIME') ctx.timerService.registerEventTimeTimer(ctx.currentWatermark + 5);
    else ctx.timerService.registerProcessingTimeTimer(ctx.currentProcessingTime() + 5);
  },
  onTimer(_time, ctx) {
    expect(ctx.timeDomain).toBe(domain);
    ctx.output(`STATE:${ctx.getState(seen).value()}`);
  },
});

/** Flink's BothTriggeringFlatMapFunction. */
const bothTriggering: KeyedProcessFunction<number, number, string> = {
  processElement(_value, ctx) {
    ctx.timerService.registerProcessingTimeTimer(5);
    ctx.timerService.registerEventTimeTimer(6);
  },
  onTimer(_time, ctx) {
    ctx.output(ctx.timeDomain === 'EVENT_TIME' ? 'EVENT:1777' : 'PROC:1777');
  },
};

// Scenarios ported from Flink's KeyedProcessOperatorTest (flink-streaming-java).
describe('keyedProcess: KeyedProcessOperatorTest scenarios', () => {
  it('testTimestampAndWatermarkQuerying: the context shows the record timestamp and the watermark', () => {
    const h = harness<number, number, string>({
      processElement(value, ctx) {
        ctx.output(`${value}TIME:${ctx.timerService.currentWatermark()} TS:${ctx.timestamp}`);
      },
    });
    h.process(watermark(17), ik(5, 12), watermark(42), ik(6, 13));
    expect(h.takeOutput()).toEqual(
      [watermark(17), ik('5TIME:17 TS:12' as never, 12), watermark(42), ik('6TIME:42 TS:13' as never, 13)].map(
        (e, i) => (e.kind === 'record' ? { ...e, key: i === 1 ? 5 : 6, keyGroup: keyGroupOf(i === 1 ? 5 : 6) } : e),
      ),
    );
  });

  it('testTimestampAndProcessingTimeQuerying: the context shows processing time from the harness clock', () => {
    const h = harness<number, number, string>({
      processElement(value, ctx) {
        ctx.output(`${value}TIME:${ctx.currentProcessingTime()} TS:${ctx.timestamp}`);
      },
    });
    h.advanceProcessingTime(17).process(ik(5, 0));
    h.advanceProcessingTime(42).process(ik(6, 0));
    expect(h.recordsOut()).toEqual([
      ['5TIME:17 TS:0', 0],
      ['6TIME:42 TS:0', 0],
    ]);
  });

  it('testEventTimeTimers: a timer fires when the watermark reaches it, output stamped with the timer time, before the watermark', () => {
    const h = harness(triggering('EVENT_TIME'));
    h.process(watermark(0), ik(17, 42), watermark(5));
    expect(h.takeOutput()).toEqual([watermark(0), ik(17, 42), kr(1777, 5, 17), watermark(5)]);
  });

  it('testProcessingTimeTimers: a timer fires when processing time reaches it, output stamped with the timer time', () => {
    const h = harness(triggering('PROCESSING_TIME'));
    h.process(ik(17, 0));
    h.advanceProcessingTime(4);
    expect(h.recordsOut()).toEqual([[17, 0]]);
    h.advanceProcessingTime(5);
    expect(h.takeOutput()).toEqual([ik(17, 0), kr(1777, 5, 17)]);
  });

  it('testEventTimeTimerWithState: onTimer runs in the timer key context (no leakage between keys)', () => {
    const h = harness(triggeringStateful('EVENT_TIME'));
    h.process(watermark(1), ik(17, 0), watermark(2), ik(42, 1), watermark(6), watermark(7));
    expect(h.takeOutput()).toEqual([
      watermark(1),
      kr('INPUT:17', 0, 17),
      watermark(2),
      kr('INPUT:42', 1, 42),
      kr('STATE:17', 6, 17),
      watermark(6),
      kr('STATE:42', 7, 42),
      watermark(7),
    ]);
  });

  it('testProcessingTimeTimerWithState: processing-time timers run in their key context', () => {
    const h = harness(triggeringStateful('PROCESSING_TIME'));
    h.advanceProcessingTime(1).process(ik(17, 0));
    h.advanceProcessingTime(2).process(ik(42, 0));
    h.advanceProcessingTime(6).advanceProcessingTime(7);
    expect(h.takeOutput()).toEqual([
      kr('INPUT:17', 0, 17),
      kr('INPUT:42', 0, 42),
      kr('STATE:17', 6, 17),
      kr('STATE:42', 7, 42),
    ]);
  });

  it('testSnapshotAndRestore: timers of both kinds survive export and import', () => {
    const first = harness(bothTriggering);
    first.process(ik(5, 12));
    const exported = structuredClone(first.operator.snapshotCheckpoint!(FULL));
    first.operator.dispose!();

    const second = harness(bothTriggering);
    second.operator.restoreCheckpoint!(exported);
    expect(second.pendingTimers).toBe(1); // only the earliest processing-time timer is scheduled
    second.advanceProcessingTime(5);
    second.process(watermark(6));
    expect(second.takeOutput()).toEqual([kr('PROC:1777', 5, 5), kr('EVENT:1777', 6, 5), watermark(6)]);
  });

  it('tuple keys and string keys share one id space (issue 17 item 9): a string that looks like a tuple keeps its own state, and ctx.key stays a string in onTimer', () => {
    const count = valueState<number>('count');
    const h = harness<string, Key, string>({
      processElement(value, ctx) {
        const state = ctx.getState(count);
        state.update((state.value() ?? 0) + 1);
        ctx.timerService.registerEventTimeTimer(10);
        ctx.output(`${value}:${state.value()}`);
      },
      onTimer(_time, ctx) {
        ctx.output(`timer ${JSON.stringify(ctx.key)}:${ctx.getState(count).value()}`);
      },
    });
    const lookalike = '\u0000tuple|string:1:a';
    h.process(kr('tuple', 1, ['a']), kr('string', 2, lookalike), watermark(10));
    expect(h.takeOutput()).toEqual([
      kr('tuple:1', 1, ['a']),
      kr('string:1', 2, lookalike),
      kr('timer ["a"]:1', 10, ['a']),
      kr(`timer ${JSON.stringify(lookalike)}:1`, 10, lookalike),
      watermark(10),
    ]);
  });
});

describe('keyedProcess: timers', () => {
  it('deduplicates timers per key and time; different keys keep their own timers; deleted timers do not fire', () => {
    const fired: [string, number][] = [];
    const h = harness<string, string, never>({
      processElement(value, ctx) {
        if (value === 'del') ctx.timerService.deleteEventTimeTimer(10);
        else {
          ctx.timerService.registerEventTimeTimer(10);
          ctx.timerService.registerEventTimeTimer(10);
        }
      },
      onTimer(time, ctx) {
        fired.push([ctx.key, time]);
      },
    });
    h.process(kr('x', 1, 'a'), kr('y', 1, 'a'), kr('x', 2, 'b'), kr('x', 3, 'c'), kr('del', 4, 'c'), watermark(10));
    expect(fired).toEqual([
      ['a', 10],
      ['b', 10],
    ]);
  });

  it('fires in time order across keys, ties in registration order; onTimer may register timers that fire in the same watermark', () => {
    const h = harness<number, string, string>({
      processElement(value, ctx) {
        ctx.timerService.registerEventTimeTimer(value);
      },
      onTimer(time, ctx) {
        ctx.output(`${ctx.key}@${time}`);
        if (time === 3) ctx.timerService.registerEventTimeTimer(4); // chained timer, same key
      },
    });
    h.process(kr(5, 0, 'a'), kr(3, 0, 'b'), kr(5, 0, 'c'), kr(1, 0, 'd'), watermark(5));
    expect(h.recordsOut()).toEqual([
      ['d@1', 1],
      ['b@3', 3],
      ['b@4', 4],
      ['a@5', 5],
      ['c@5', 5],
    ]);
  });

  it('a timer registered at or before the current watermark fires at the next watermark, not at once', () => {
    const h = harness(triggering('EVENT_TIME'));
    h.process(watermark(10));
    h.operator.processRecord(ik(1, 20), []);
    h.takeOutput();
    // registered at watermark 10 + 5 = 15
    h.process(watermark(14));
    expect(h.recordsOut()).toEqual([]);
    h.process(watermark(15));
    expect(h.recordsOut()).toEqual([[1777, 15]]);
  });

  it('end of input fires every pending event-time timer and drops processing-time timers (Flink quiesces them)', () => {
    const h = harness(bothTriggering);
    h.process(ik(1, 0), ik(2, 0));
    h.end();
    expect(h.takeOutput()).toEqual([kr('EVENT:1777', 6, 1), kr('EVENT:1777', 6, 2), END_OF_STREAM]);
    expect(
      (h.operator as KeyedProcessOperator<number, number, string>).counters.get('processingTimersDroppedAtEnd'),
    ).toBe(2);
    expect(h.pendingTimers).toBe(0);
    h.advanceProcessingTime(100);
    expect(h.takeOutput()).toEqual([]);
  });

  it('schedules only the earliest processing-time timer and reschedules after it fires', () => {
    const h = harness<number, number, number>({
      processElement(value, ctx) {
        ctx.timerService.registerProcessingTimeTimer(value);
      },
      onTimer(time, ctx) {
        ctx.output(time);
      },
    });
    h.process(ik(30, 0), ik(20, 0), ik(10, 0), ik(40, 0));
    expect(h.pendingTimers).toBe(1);
    h.advanceProcessingTime(25);
    expect(h.recordsOut()).toEqual([
      [10, 10],
      [20, 20],
    ]);
    expect(h.pendingTimers).toBe(1);
    h.advanceProcessingTime(100);
    expect(h.recordsOut().map(([v]) => v)).toEqual([10, 20, 30, 40]);
  });

  it('marble: processing-time timers run on the injected TestScheduler; event-time timers on watermarks', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold<StreamElement<string>>('a 9ms b 19ms w 9ms |', {
        a: record('a', 1),
        b: record('b', 2),
        w: watermark(1000),
      });
      const out = input.pipe(
        batched(),
        keyBy((v: string) => v),
        keyedProcess<string, string, string>(
          {
            processElement(_value, ctx) {
              ctx.timerService.registerProcessingTimeTimer(ctx.currentProcessingTime() + 5);
              ctx.timerService.registerEventTimeTimer(ctx.timestamp + 100);
            },
            onTimer(time, ctx) {
              ctx.output(`${ctx.key}:${ctx.timeDomain}@${time}`);
            },
          },
          { uid: 'marble' },
        ),
        toValues(),
      );
      expectObservable(out).toBe('5ms p 9ms q 14ms (xy) 6ms |', {
        p: 'a:PROCESSING_TIME@5',
        q: 'b:PROCESSING_TIME@15',
        x: 'a:EVENT_TIME@101',
        y: 'b:EVENT_TIME@102',
      });
    });
  });
});

describe('keyedProcess: context, errors, side outputs', () => {
  it('emits to side outputs (a SideOutput or a function)', async () => {
    const side = new SideOutput<string>('odd');
    const got: string[] = [];
    side.subscribe((v) => got.push(v));
    const fnGot: number[] = [];
    const out = await firstValueFrom(
      of([record(1, 1), record(2, 2), record(3, 3)]).pipe(
        keyBy((v: number) => v % 2),
        keyedProcess<number, number, number>({
          processElement(value, ctx) {
            if (value % 2 === 1) ctx.sideOutput(side, `odd ${value}`);
            else ctx.sideOutput((v: number) => fnGot.push(v), value);
            ctx.output(value * 10);
          },
        }),
        toValues(),
        toArray(),
      ),
    );
    expect(out).toEqual([10, 20, 30]);
    expect(got).toEqual(['odd 1', 'odd 3']);
    expect(fnGot).toEqual([2]);
  });

  it('refuses records without a key with NotKeyedError', () => {
    const h = harness(triggering('EVENT_TIME'));
    expect(() => h.process(record(1, 1) as never)).toThrow(NotKeyedError);
  });

  it('keyed state and timers used after the call returned throw NotKeyedError; output throws ProcessContextClosedError', () => {
    let saved: Parameters<KeyedProcessFunction<number, number, number>['processElement']>[1] | undefined;
    const h = harness<number, number, number>({
      processElement(_value, ctx) {
        saved = ctx;
      },
    });
    h.process(ik(1, 1));
    expect(() => saved!.getState(seen)).toThrow(NotKeyedError);
    expect(() => saved!.timerService.registerEventTimeTimer(5)).toThrow(NotKeyedError);
    expect(() => saved!.timerService.registerEventTimeTimer(5)).toThrow(/timers needs a keyed context/);
    expect(() => saved!.output(1)).toThrow(ProcessContextClosedError);
  });

  it('a state handle kept from an earlier call throws NotKeyedError outside a call', () => {
    let handle: ValueState<number> | undefined;
    const h = harness<number, number, number>({
      processElement(value, ctx) {
        handle = ctx.getState(seen);
        handle.update(value);
      },
    });
    h.process(ik(1, 1));
    expect(() => handle!.value()).toThrow(NotKeyedError);
    expect(() => handle!.value()).toThrow(/keyed state "seen-element" needs a keyed context/);
  });

  it('processValues (non-keyed): timestamp, watermark and output work; keyed state and timers throw NotKeyedError', async () => {
    const errors: string[] = [];
    const out = await firstValueFrom(
      of([watermark(5), record('a', 7)]).pipe(
        processValues<string, string>({
          processElement(value, ctx) {
            ctx.output(`${value}@${ctx.timestamp} wm ${ctx.currentWatermark}`);
            try {
              ctx.timerService.registerEventTimeTimer(10);
            } catch (e) {
              errors.push((e as Error).name);
            }
            try {
              (ctx as unknown as { getState(d: unknown): unknown }).getState?.(seen);
            } catch (e) {
              errors.push((e as Error).name);
            }
          },
        }),
        toValues(),
        toArray(),
      ),
    );
    expect(out).toEqual(['a@7 wm 5']);
    expect(errors).toEqual(['NotKeyedError', 'NotKeyedError']);
  });

  it('reports a value that cannot be exported, naming uid, state and key', () => {
    const h = harness<string, string, never>(
      {
        processElement(value, ctx) {
          ctx.getState(valueState<unknown>('cache')).update(value === 'bad' ? { run: () => 1 } : { ok: true });
        },
      },
      { uid: 'cacher' },
    );
    h.process(kr('good', 1, 'k1'), kr('bad', 2, 'k2'));
    let error: unknown;
    try {
      h.operator.snapshotCheckpoint!(FULL);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateNotSerializableError);
    expect((error as Error).message).toContain('operator "cacher"');
    expect((error as Error).message).toContain('state "cache"');
    expect((error as Error).message).toContain('key "k2"');
    expect((error as Error).message).toContain('value.run is a function');
  });

  it('validates its arguments when the pipeline is built', () => {
    expect(() => keyedProcess({} as never)).toThrow(InvalidOptionError);
    expect(() => keyedProcess({ processElement() {} }, { uid: '' })).toThrow(/uid/);
    expect(() => processValues(null as never)).toThrow(InvalidOptionError);
  });
});

describe('keyedProcess: scale', () => {
  it('holds 1,000,000 keys with a value state each and 1,000,000 pending event-time timers, exports and imports them, then fires them all in order', () => {
    const n = 1_000_000;
    const count = valueState<number>('count');
    let fired = 0;
    let last = -Infinity;
    let ordered = true;
    const fn: KeyedProcessFunction<number, number, never> = {
      processElement(value, ctx) {
        ctx.getState(count).update(value);
        ctx.timerService.registerEventTimeTimer((value * 7919) % n); // scrambled times
      },
      onTimer(time, ctx) {
        if (time < last) ordered = false;
        last = time;
        if (ctx.getState(count).value() !== ctx.key) ordered = false;
        fired++;
      },
    };
    const first = harness(fn).operator as KeyedProcessOperator<number, number, never>;
    const out: StreamElement<never, number>[] = [];
    for (let i = 0; i < n; i++)
      first.processRecord({ kind: 'record', value: i, timestamp: 0, key: i, keyGroup: 0 }, out);
    expect(first.backend.entryCount('count')).toBe(n);
    expect(first.pendingTimers.eventTime).toBe(n);
    // Export and import at this scale too, then fire from the imported operator.
    const exported = first.snapshotCheckpoint!(FULL);
    expect(
      Object.entries(exported.keyed!)
        .filter(([t]) => t.endsWith('/timers:event-time'))
        .reduce((sum, [, t]) => sum + t.keys.length, 0),
    ).toBe(n);
    const op = harness(fn).operator as KeyedProcessOperator<number, number, never>;
    op.restoreCheckpoint!(exported);
    expect(op.backend.entryCount('count')).toBe(n);
    expect(op.pendingTimers.eventTime).toBe(n);
    op.processWatermark(watermark(n / 2 - 1), out);
    expect(fired).toBe(n / 2);
    op.processWatermark(watermark(n), out);
    expect(fired).toBe(n);
    expect(ordered).toBe(true);
    expect(op.pendingTimers.eventTime).toBe(0);
  }, 180_000); // 5–6 s alone; a million keys under a loaded machine's memory pressure took 52 s
});
