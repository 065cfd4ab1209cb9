/**
 * Engine tests without RxJS: the valve and the entry operator driven by hand, as tables of
 * (input, expected output).
 */
import { describe, expect, it } from 'vitest';
import {
  END_OF_STREAM,
  InvalidOptionError,
  InvalidWatermarkError,
  StateRestoreError,
  boundedOutOfOrderness,
  customWatermarks,
  noWatermarks,
  punctuatedWatermarks,
  record,
  watermark,
  WatermarkOutputClosedError,
  type StreamElement,
  type WatermarkGenerator,
  type WatermarkOutput,
} from '../../src/index.js';
import {
  ACTIVE,
  IDLE,
  TimestampsAndWatermarksOperator,
  WatermarkValve,
  type ProcessingTimeService,
} from '../../src/engine/index.js';

type Out = StreamElement<unknown, unknown>[];
type Step =
  | [op: 'wm', input: number, value: number, expected: Out]
  | [op: 'idle' | 'active', input: number, expected: Out];

/** Feeds steps to a fresh valve, checking the output of each step on its own. */
function runValve(inputs: number, steps: Step[]): WatermarkValve {
  const valve = new WatermarkValve(inputs);
  steps.forEach((step, i) => {
    const out: Out = [];
    if (step[0] === 'wm') valve.inputWatermark(step[1], step[2], out);
    else valve.inputStatus(step[1], step[0] === 'idle', out);
    expect(out, `step ${i}: ${JSON.stringify(step.slice(0, -1))}`).toEqual(step[step.length - 1]);
  });
  return valve;
}

// Scenarios of Flink's StatusWatermarkValveTest, with our own values.
describe('WatermarkValve (Flink StatusWatermarkValveTest scenarios)', () => {
  it('single input: increasing watermarks pass, decreasing ones yield nothing', () => {
    runValve(1, [
      ['wm', 0, 5, [watermark(5)]],
      ['wm', 0, 30, [watermark(30)]],
      ['wm', 0, 12, []],
      ['wm', 0, 30, []],
      ['wm', 0, 31, [watermark(31)]],
    ]);
  });

  it('single input: status toggles are forwarded once, repeated ones yield nothing', () => {
    runValve(1, [
      ['active', 0, []],
      ['idle', 0, [IDLE]],
      ['idle', 0, []],
      ['active', 0, [ACTIVE]],
      ['active', 0, []],
    ]);
  });

  it('single input: watermarks received while idle are ignored, the earlier one stays', () => {
    const valve = runValve(1, [
      ['wm', 0, 20, [watermark(20)]],
      ['idle', 0, [IDLE]],
      ['wm', 0, 40, []],
      ['active', 0, [ACTIVE]],
      ['wm', 0, 40, [watermark(40)]],
    ]);
    expect(valve.outputWatermark).toBe(40);
  });

  it('multiple inputs: a watermark only once every input has one, then the minimum as it rises', () => {
    runValve(3, [
      ['wm', 0, 0, []],
      ['wm', 1, 0, []],
      ['wm', 2, 0, [watermark(0)]],
      ['wm', 0, 14, []],
      ['wm', 2, 7, []],
      ['wm', 2, 9, []],
      ['wm', 1, 16, [watermark(9)]],
      ['wm', 2, 18, [watermark(14)]],
      ['wm', 0, 21, [watermark(16)]],
    ]);
  });

  it('multiple inputs: decreasing watermarks yield nothing', () => {
    runValve(3, [
      ['wm', 0, 30, []],
      ['wm', 1, 11, []],
      ['wm', 2, 19, [watermark(11)]],
      ['wm', 0, 12, []],
      ['wm', 1, 9, []],
      ['wm', 2, 15, []],
    ]);
  });

  it('multiple inputs: IDLE only when every input is idle, ACTIVE as soon as one is back', () => {
    runValve(2, [
      ['idle', 1, []],
      ['idle', 0, [IDLE]],
      ['idle', 0, []],
      ['active', 1, [ACTIVE]],
      ['active', 0, []],
    ]);
  });

  it('multiple inputs: the minimum is taken over the active inputs only', () => {
    runValve(3, [
      ['wm', 0, 16, []],
      ['wm', 1, 11, []],
      ['idle', 2, [watermark(11)]],
      ['wm', 1, 19, [watermark(16)]],
      ['wm', 0, 22, [watermark(19)]],
    ]);
  });

  it('multiple inputs: as inputs go idle one by one, the next minimum is released each time', () => {
    runValve(3, [
      ['wm', 0, 27, []],
      ['wm', 1, 8, []],
      ['wm', 2, 15, [watermark(8)]],
      ['idle', 1, [watermark(15)]],
      ['idle', 2, [watermark(27)]],
    ]);
  });

  it('all inputs idle: the highest watermark of all is flushed, then IDLE', () => {
    runValve(3, [
      ['wm', 0, 12, []],
      ['wm', 1, 6, []],
      ['wm', 2, 2, [watermark(2)]],
      ['idle', 0, []],
      ['idle', 1, []],
      ['idle', 2, [watermark(12), IDLE]],
    ]);
  });

  it('all inputs idle: no flush when the last input to go idle was not holding the output (as Flink)', () => {
    runValve(3, [
      ['wm', 0, 100, []],
      ['wm', 1, 30, []],
      ['wm', 2, 50, [watermark(30)]],
      ['idle', 1, [watermark(50)]],
      ['active', 1, []], // 30 < 50: back, but not aligned
      ['idle', 0, []], // 100 is not the output watermark: nothing to recompute
      ['idle', 2, []], // input 1 still active
      ['idle', 1, [IDLE]], // its 30 was not holding the output (50): no flush of 100
    ]);
  });

  it('an input back from idleness rejoins the minimum only once its watermark has caught up', () => {
    runValve(2, [
      ['wm', 0, 10, []],
      ['wm', 1, 40, [watermark(10)]],
      ['idle', 0, [watermark(40)]],
      ['active', 0, []],
      ['wm', 1, 60, [watermark(60)]], // input 0 (10) is not aligned, so it does not hold back
      ['wm', 0, 50, []], // still behind 60
      ['wm', 0, 70, []], // caught up: aligned again, minimum is 60, already out
      ['wm', 1, 90, [watermark(70)]],
    ]);
  });

  it('refuses a count of inputs that is not a positive integer', () => {
    expect(() => new WatermarkValve(0)).toThrow(InvalidOptionError);
    expect(() => new WatermarkValve(1.5)).toThrow(/inputs/);
  });
});

/** Processing time by hand: timers fire, in time order, when `advance` reaches them. */
class ManualTime implements ProcessingTimeService {
  time = 0;
  timers: { at: number; run: (out: Out) => void; cancelled: boolean }[] = [];
  now(): number {
    return this.time;
  }
  schedule<O, KO>(time: number, onTimer: (out: StreamElement<O, KO>[]) => void): () => void {
    const timer = { at: time, run: onTimer as unknown as (out: Out) => void, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
  advance(to: number): Out {
    const out: Out = [];
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.time = due.at;
      due.run(out);
    }
    this.time = to;
    return out;
  }
}

describe('TimestampsAndWatermarksOperator (engine)', () => {
  const at = (v: number): number => v;

  it('periodic emission on the timer: max - delay - 1 every period, only when it increases', () => {
    const time = new ManualTime();
    const op = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: boundedOutOfOrderness<number>(10).withPeriod(100) },
      time,
    );
    const out: StreamElement<number>[] = [];
    op.processValue(50, out);
    op.processValue(40, out);
    expect(out).toEqual([record(50, 50), record(40, 40)]);
    expect(time.advance(100)).toEqual([watermark(39)]);
    expect(time.advance(300)).toEqual([]); // nothing new: no repeated watermark
    op.processValue(80, out);
    expect(time.advance(400)).toEqual([watermark(69)]);
    expect(op.currentWatermark).toBe(69);
  });

  it('processValues checks periodic emission at the end of the batch, with the clock of the scheduler', () => {
    const time = new ManualTime();
    const op = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: boundedOutOfOrderness<number>(0).withPeriod(100) },
      time,
    );
    const out: StreamElement<number>[] = [];
    op.processValues([5, 7], out);
    expect(out).toEqual([record(5, 5), record(7, 7)]); // not due yet at 0
    time.time = 150; // the timer could not run: a synchronous source never yielded
    const out2: StreamElement<number>[] = [];
    op.processValues([9], out2);
    expect(out2).toEqual([record(9, 9), watermark(8)]);
    expect(time.advance(200)).toEqual([]); // the stale timer finds nothing due (next is 250)
    op.processValue(20, []);
    expect(time.advance(250)).toEqual([watermark(19)]);
  });

  it('a generator proposal that does not advance neither emits nor ends idleness (Flink WatermarkEmitter)', () => {
    const time = new ManualTime();
    const proposals: (number | 'idle')[] = [10, 'idle', 5, 10, 11];
    const generator: WatermarkGenerator<number> = {
      onEvent: () => undefined,
      onPeriodicEmit: (o) => {
        const p = proposals.shift();
        if (p === 'idle') o.markIdle();
        else if (p !== undefined) o.emitWatermark(p);
      },
    };
    const op = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: customWatermarks(() => generator, 100) },
      time,
    );
    expect(time.advance(100)).toEqual([watermark(10)]);
    expect(time.advance(200)).toEqual([IDLE]);
    expect(time.advance(300)).toEqual([]); // 5: behind
    expect(time.advance(400)).toEqual([]); // 10: equal
    expect(time.advance(500)).toEqual([ACTIVE, watermark(11)]);
    op.dispose();
  });

  it('a record on an idle input makes it active again before the record (foundation issue)', () => {
    const time = new ManualTime();
    const op = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: boundedOutOfOrderness<number>(0).withPeriod(100).withIdleness(150) },
      time,
    );
    // No record at all: inactivity starts at the first emit (100); 200 is within 150; 300 is not.
    expect(time.advance(300)).toEqual([IDLE]);
    expect(time.advance(600)).toEqual([]); // idle once, not again at every emit
    const out: StreamElement<number>[] = [];
    op.processValue(42, out);
    expect(out).toEqual([ACTIVE, record(42, 42)]);
    expect(time.advance(700)).toEqual([watermark(41)]);
  });

  it('punctuated watermarks run no periodic timer, unless idleness needs one', () => {
    const heartbeat = (v: number): number | undefined => (v % 10 === 0 ? v : undefined);
    const time = new ManualTime();
    const plain = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: punctuatedWatermarks(heartbeat) },
      time,
    );
    expect(time.pending).toBe(0);
    const out: StreamElement<number>[] = [];
    plain.processValues([3, 10, 7], out);
    expect(out).toEqual([record(3, 3), record(10, 10), watermark(10), record(7, 7)]); // 7 is late: forwarded, counted
    expect(plain.counters.get('lateRecords')).toBe(1);

    const idleTime = new ManualTime();
    const withIdle = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: punctuatedWatermarks(heartbeat).withIdleness(300) },
      idleTime,
    );
    expect(idleTime.pending).toBe(1);
    withIdle.processValue(20, []);
    expect(idleTime.advance(200)).toEqual([]); // emit at 200 sees the record; nothing periodic to emit
    expect(idleTime.advance(800)).toEqual([IDLE]); // inactive since 400, idle at 800 (> 400 + 300)
  });

  it('noWatermarks: records only, then +infinity at the end', () => {
    const time = new ManualTime();
    const op = new TimestampsAndWatermarksOperator<string>(
      { timestamp: (s) => s.length, watermarks: noWatermarks() },
      time,
    );
    const out: StreamElement<string>[] = [];
    op.processValues(['a', 'bbb'], out);
    expect(time.pending).toBe(0);
    op.end(out);
    expect(out).toEqual([record('a', 1), record('bbb', 3), END_OF_STREAM]);
  });

  it('end of input: active again if idle, then +infinity, and the timer is gone', () => {
    const time = new ManualTime();
    const op = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: boundedOutOfOrderness<number>(0).withPeriod(100).withIdleness(100) },
      time,
    );
    expect(time.advance(400)).toEqual([IDLE]);
    const out: StreamElement<number>[] = [];
    op.end(out);
    expect(out).toEqual([ACTIVE, END_OF_STREAM]);
    expect(time.pending).toBe(0);
    expect(op.currentWatermark).toBe(Infinity);
  });

  it.each([
    ['NaN', Number.NaN, /NaN/],
    ['a fraction', 10.5, /not an integer/],
    ['a string', '10', /not a number but a string/],
    ['undefined', undefined, /missing/],
    ['beyond safe integers', 2 ** 60, /MAX_SAFE_INTEGER/],
  ])('a generator proposing %s fails with an InvalidWatermarkError', (_name, proposal, reason) => {
    const time = new ManualTime();
    const op = new TimestampsAndWatermarksOperator<number>(
      {
        timestamp: at,
        watermarks: customWatermarks(
          () => ({ onEvent: (_v, _t, o) => o.emitWatermark(proposal as number), onPeriodicEmit: () => undefined }),
          0,
        ),
      },
      time,
    );
    expect(() => op.processValue(1, [])).toThrow(InvalidWatermarkError);
    expect(() => op.processValue(2, [])).toThrow(reason);
  });

  it('accepts +infinity from a generator as the end of event time, and -infinity as nothing known', () => {
    const time = new ManualTime();
    const op = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: punctuatedWatermarks((v) => (v < 0 ? -Infinity : Infinity)) },
      time,
    );
    const out: StreamElement<number>[] = [];
    op.processValues([-1, 1], out);
    expect(out).toEqual([record(-1, -1), record(1, 1), END_OF_STREAM]);
  });

  it('refuses a generator factory that does not return a generator, naming the option', () => {
    const bad = customWatermarks(() => ({ onEvent: () => undefined }) as unknown as WatermarkGenerator<number>);
    expect(
      () => new TimestampsAndWatermarksOperator<number>({ timestamp: at, watermarks: bad }, new ManualTime()),
    ).toThrow(/createGenerator/);
  });
});

describe('TimestampsAndWatermarksOperator: export and import', () => {
  const at = (v: number): number => v;

  it('exports the last watermark as plain data; after import, nothing at or below it is forwarded', () => {
    const time = new ManualTime();
    const first = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: punctuatedWatermarks<number>((v) => v) },
      time,
    );
    first.processValues([10, 40], []);
    const exported = structuredClone(first.snapshotState());
    expect(exported).toEqual({ version: 1, watermark: 40 });

    const restored = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: punctuatedWatermarks<number>((v) => v) },
      new ManualTime(),
    );
    restored.restoreState(exported);
    const out: StreamElement<number>[] = [];
    restored.processValues([30, 45], out);
    // 30 is behind the restored watermark: forwarded and counted late; its proposal (30) is dropped.
    expect(out).toEqual([record(30, 30), record(45, 45), watermark(45)]);
    expect(restored.counters.get('lateRecords')).toBe(1);
  });

  it("the entry's watermark generator does not restore its highest timestamp (issue 17, differences from Flink): after a restore, periodic watermarks continue where they were", () => {
    const strategy = boundedOutOfOrderness<number>(100).withPeriod(50).withIdleness(10_000);
    const first = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: strategy, uid: 'entry' },
      new ManualTime(),
    );
    // The checkpoint comes after the records and before the periodic emission: the generator's
    // highest timestamp (1000) is all that says the watermark is about to be 899.
    first.processValue(1000, []);
    first.processValue(700, []);
    const exported = structuredClone(first.snapshotState());
    expect(exported).toEqual({ version: 1, watermark: -Infinity, generator: 1000 });
    const time = new ManualTime();
    const restored = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: strategy, uid: 'entry' },
      time,
    );
    restored.restoreState(exported);
    const out: StreamElement<number>[] = [];
    restored.processValue(800, out); // replayed after the checkpoint, within the bound
    expect(out).toEqual([record(800, 800)]);
    expect(time.advance(50)).toEqual([watermark(899)]); // as without the restore; Flink would emit 699
    // The generator's state is checked like the rest.
    expect(() => restored.restoreState({ version: 1, watermark: 5, generator: 'x' })).toThrow(StateRestoreError);
    expect(() => restored.restoreState({ version: 1, watermark: 5, generator: 'x' })).toThrow(/state\.generator/);
  });

  it.each([
    ['null', null],
    ['another shape', { watermark: 5 }],
    ['a NaN watermark', { version: 1, watermark: Number.NaN }],
  ])('refuses %s with a StateRestoreError naming the uid', (_name, state) => {
    const op = new TimestampsAndWatermarksOperator<number>(
      { timestamp: at, watermarks: noWatermarks(), uid: 'clicks-entry' },
      new ManualTime(),
    );
    expect(() => op.restoreState(state)).toThrow(StateRestoreError);
    expect(() => op.restoreState(state)).toThrow(/clicks-entry/);
  });
});

describe('TimestampsAndWatermarksOperator: the generator output is only open during its calls', () => {
  it.each(['emitWatermark', 'markIdle', 'markActive'] as const)(
    '%s after onEvent returned fails loudly instead of losing the element',
    (method) => {
      let kept: WatermarkOutput | undefined;
      const op = new TimestampsAndWatermarksOperator<number>(
        {
          timestamp: (v) => v,
          watermarks: customWatermarks<number>(
            () => ({
              onEvent: (_v, _t, o) => {
                kept = o;
              },
              onPeriodicEmit: () => undefined,
            }),
            0,
          ),
        },
        new ManualTime(),
      );
      op.processValue(1, []);
      expect(() => (method === 'emitWatermark' ? kept!.emitWatermark(5) : kept![method]())).toThrow(
        WatermarkOutputClosedError,
      );
      expect(() => (method === 'emitWatermark' ? kept!.emitWatermark(5) : kept![method]())).toThrow(new RegExp(method));
    },
  );
});
