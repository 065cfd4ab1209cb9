/**
 * Allowed lateness and process functions on the pane table (src/window/pane-path.ts, its late table)
 * against the general path (src/window/general-path.ts), which runs the same operator given a copy
 * of the default trigger (same behaviour, not recognised as the default). Flink's WindowOperator
 * keeps a window until `maxTimestamp + allowedLateness`; a record within that is added and fires
 * the window again at once (EventTimeTrigger.onElement), a LATE pane. Both paths must give the same
 * results with the same panes (timing, index, first, last), the same late records and timer counts,
 * and state each can restore.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../src/core/counters.js';
import { END_OF_STREAM, type StreamElement, type StreamRecord } from '../../src/core/elements.js';
import type { OperatorRuntime } from '../../src/core/operator.js';
import { WindowOperator, type WindowOperatorState } from '../../src/engine/index.js';
import { SideOutput } from '../../src/rx/side-output.js';
import {
  combine,
  count,
  defineEvictor,
  defineTrigger,
  eventTimeTrigger,
  sum,
  tumblingEventTimeWindows,
  window,
  WindowStateError,
  type Trigger,
  type WindowFunction,
  type WindowResult,
} from '../../src/window/index.js';
import { InvalidOptionError } from '../../src/core/errors.js';
import { harness, rec, wm } from './helpers.js';
import { applyDeltas, SNAPSHOT_FORMAT_VERSION, type Snapshot } from '../../src/checkpoint/snapshot.js';
import { pending } from '../fixtures/state-format/snapshots.js';
import { keyGroupOf } from '../../src/core/keys.js';

type Op = { kind: 'rec'; key: string; ts: number; v: number } | { kind: 'wm'; t: number } | { kind: 'snapshot' };
type Fn = 'aggregate' | 'reduce+process' | 'process';

function fnOf(kind: Fn): WindowFunction<number, unknown, string> {
  if (kind === 'aggregate') return { kind: 'aggregate', aggregate: combine({ n: count(), s: sum() }) as never };
  if (kind === 'reduce+process')
    return {
      kind: 'reduce',
      reduce: (a: number, b: number) => a + b,
      process: (sums, ctx, out) => out.collect(`${sums[0]}<=${ctx.currentWatermark}`),
    } as WindowFunction<number, unknown, string>;
  // Every element, in arrival order, and two results per firing.
  return {
    kind: 'process',
    process: (values, ctx, out) => {
      out.collect(values.join(','));
      out.collect(`${String(ctx.key)}:${ctx.window.start}`);
    },
  };
}

function factory(
  size: number,
  lateness: number,
  general: boolean,
  fn: Fn,
  late: SideOutput<StreamRecord<number, string>>,
  counters: Counters,
): (runtime: OperatorRuntime) => WindowOperator<number, string, unknown> {
  const trigger = general ? defineTrigger({ ...(eventTimeTrigger() as Trigger<number>) }) : undefined;
  return (runtime) =>
    new WindowOperator<number, string, unknown>(
      {
        assigner: tumblingEventTimeWindows(size),
        fn: fnOf(fn),
        keyed: true,
        allowedLateness: lateness,
        lateOutput: late,
        counters,
        ...(trigger === undefined ? {} : { trigger }),
      },
      runtime,
    );
}

/** Each result with its pane, e.g. "a [0,10) {"n":2,"s":3} @9 LATE#1 first=false last=false"; "W20" for watermarks. */
function render(out: readonly StreamElement<unknown, unknown>[]): string[] {
  return out.map((e) => {
    if (e.kind !== 'record') return e.kind === 'watermark' ? `W${e.timestamp}` : e.kind;
    const r = e.value as WindowResult<string, unknown>;
    const p = r.pane;
    return `${r.key} [${r.window.start},${r.window.end}) ${JSON.stringify(r.value)} @${e.timestamp} ${p.timing}#${p.index} first=${p.isFirst} last=${p.isLast}`;
  });
}

/** Sorted between watermarks: after a restore, windows ending together fire in the state's key order. */
function sortedRuns(lines: string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  for (const line of lines) {
    if (line.startsWith('W') || line === 'end-of-stream') {
      out.push(...run.sort(), line);
      run = [];
    } else run.push(line);
  }
  return [...out, ...run.sort()];
}

/** The harness's operator, as the WindowOperator it is. */
const opOf = (h: { readonly operator: unknown }): WindowOperator<number, string, unknown> =>
  h.operator as WindowOperator<number, string, unknown>;

function canonical(state: WindowOperatorState): WindowOperatorState {
  const keys = state.keys.map((k) => ({ ...k, windows: [...k.windows].sort((a, b) => a.start - b.start) }));
  return { ...state, keys: keys.sort((a, b) => String(a.key).localeCompare(String(b.key))) };
}

interface Run {
  out: string[];
  states: WindowOperatorState[];
  timers: number[];
  windows: number[];
  seen: StreamRecord<number, string>[];
  late: number;
}

function run(size: number, lateness: number, fn: Fn, ops: Op[], general: boolean, next: boolean): Run {
  const late = new SideOutput<StreamRecord<number, string>>('late');
  const seen: StreamRecord<number, string>[] = [];
  late.subscribe((r) => seen.push(r));
  const counters = new Counters();
  let h = harness(factory(size, lateness, general, fn, late, counters));
  let watermark = 0;
  const out: StreamElement<unknown, unknown>[] = [];
  const states: WindowOperatorState[] = [];
  const timers: number[] = [];
  const windows: number[] = [];
  for (const op of ops) {
    if (op.kind === 'rec') h.process(rec(op.v, op.ts, op.key));
    else if (op.kind === 'wm') {
      watermark += op.t;
      h.process(wm(watermark));
      timers.push(opOf(h).timerCount);
      windows.push(opOf(h).windowCount);
    } else {
      const state = structuredClone(opOf(h).snapshotState());
      states.push(state);
      out.push(...h.takeOutput());
      h = harness(factory(size, lateness, next, fn, late, counters));
      opOf(h).restoreState(state);
    }
  }
  h.process(END_OF_STREAM);
  out.push(...h.takeOutput());
  return { out: render(out), states, timers, windows, seen, late: counters.get('lateRecordsToSideOutput') };
}

/** Records (weight 8) and watermarks (3), for `fc.oneof`. */
const recordsAndWatermarks = [
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('rec' as const),
      key: fc.constantFrom('a', 'b', 'c'),
      ts: fc.integer({ min: -20, max: 200 }),
      v: fc.integer({ min: 0, max: 9 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wm' as const), t: fc.integer({ min: 1, max: 30 }) }) },
];

const opsArb: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(...recordsAndWatermarks, {
    weight: 1,
    arbitrary: fc.constant({ kind: 'snapshot' as const }),
  }),
  { maxLength: 60 },
);

describe('allowed lateness on the pane table, against the general path', () => {
  for (const fn of ['aggregate', 'reduce+process', 'process'] as const) {
    it(`property (${fn}): same results and panes, late records, timers and state; each restores the other's state`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 30 }),
          fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(Infinity)),
          opsArb,
          (size, lateness, ops) => {
            const straight = ops.filter((op) => op.kind !== 'snapshot');
            const paned = run(size, lateness, fn, straight, false, false);
            const plain = run(size, lateness, fn, straight, true, true);
            // Without snapshots: the very same output, in the same order.
            expect(paned.out).toEqual(plain.out);
            expect(paned.seen).toEqual(plain.seen);
            expect(paned.late).toBe(plain.late);
            expect(paned.timers).toEqual(plain.timers);
            expect(paned.windows).toEqual(plain.windows);
            // With snapshots, across paths both ways.
            const runs = [
              run(size, lateness, fn, ops, false, false),
              run(size, lateness, fn, ops, true, true),
              run(size, lateness, fn, ops, false, true),
              run(size, lateness, fn, ops, true, false),
            ];
            const expected = sortedRuns(runs[0]!.out);
            for (const r of runs) expect(sortedRuns(r.out)).toEqual(expected);
            expect(runs[0]!.states.map(canonical)).toEqual(runs[1]!.states.map(canonical));
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it("a late record re-fires only its key's window, as a LATE pane with the next index (Flink's EventTimeTrigger)", () => {
    const late = new SideOutput<StreamRecord<number, string>>('late');
    const h = harness(factory(10, 5, false, 'aggregate', late, new Counters()));
    h.process(rec(1, 1, 'a'), rec(2, 2, 'b'), wm(9), rec(3, 3, 'a'), rec(4, 4, 'a'), wm(14), rec(5, 5, 'a'));
    expect(render(h.takeOutput())).toEqual([
      'a [0,10) {"n":1,"s":1} @9 ON_TIME#0 first=true last=false',
      'b [0,10) {"n":1,"s":2} @9 ON_TIME#0 first=true last=false',
      'W9',
      'a [0,10) {"n":2,"s":4} @9 LATE#1 first=false last=false',
      'a [0,10) {"n":3,"s":8} @9 LATE#2 first=false last=false',
      // 9 + 5 = 14: the window was cleaned up; the last record is late data.
      'W14',
    ]);
    expect(opOf(h).windowCount).toBe(0);
  });
});

describe('the general path comes with the descriptors that need it', () => {
  it('a trigger written by hand on tumbling event-time windows: an InvalidOptionError naming the trigger option', () => {
    const plain = { ...(eventTimeTrigger() as Trigger<number>), name: 'mine' };
    expect(() => window(tumblingEventTimeWindows(10), { trigger: plain })).toThrow(InvalidOptionError);
    expect(() => window(tumblingEventTimeWindows(10), { trigger: plain })).toThrow(/trigger.*defineTrigger/);
    expect(() => window(tumblingEventTimeWindows(10), { trigger: defineTrigger(plain) })).not.toThrow();
    const evictor = { evictBefore: <E>(elements: E[]): E[] => elements };
    expect(() => window(tumblingEventTimeWindows(10), { evictor })).toThrow(/evictor.*defineEvictor/);
    expect(() => window(tumblingEventTimeWindows(10), { evictor: defineEvictor(evictor) })).not.toThrow();
  });

  it('defineTrigger keeps a class instance working: its methods and their `this`', () => {
    class EveryOther {
      readonly name = 'everyOther';
      readonly fire = 'FIRE' as const;
      onElement(
        _v: number,
        _t: number,
        _w: unknown,
        ctx: { getState<S>(n: string): S | undefined; setState<S>(n: string, v: S): void },
      ) {
        const n = (ctx.getState<number>('n') ?? 0) + 1;
        ctx.setState('n', n);
        return n % 2 === 0 ? this.fire : 'CONTINUE';
      }
      onEventTime() {
        return 'CONTINUE' as const;
      }
      onProcessingTime() {
        return 'CONTINUE' as const;
      }
      clear() {}
    }
    const h = harness(
      (runtime) =>
        new WindowOperator<number, string, number>(
          {
            assigner: tumblingEventTimeWindows(100),
            fn: { kind: 'reduce', reduce: (a, b) => a + b },
            keyed: true,
            trigger: defineTrigger(new EveryOther() as Trigger<number>),
          },
          runtime,
        ),
    );
    h.process(rec(1, 1, 'a'), rec(2, 2, 'a'), rec(3, 3, 'a'), rec(4, 4, 'a'));
    expect(h.takeOutput().map((e) => (e.kind === 'record' ? e.value.value : e.kind))).toEqual([3, 10]);
  });

  it('state that needs the general path, restored into an operator without it: a WindowStateError naming the uid', () => {
    const late = new SideOutput<StreamRecord<number, string>>('late');
    const withLateness = harness(factory(10, 20, false, 'aggregate', late, new Counters()));
    withLateness.process(rec(1, 1, 'a'), wm(12));
    const state = opOf(withLateness).snapshotState();
    const strict = harness(
      (runtime) =>
        new WindowOperator<number, string, unknown>(
          { assigner: tumblingEventTimeWindows(10), fn: fnOf('aggregate'), keyed: true, uid: 'clicks-per-page' },
          runtime,
        ),
    );
    strict.process(rec(7, 15, 'b'));
    const error = (() => {
      try {
        opOf(strict).restoreState({ ...state, uid: 'clicks-per-page' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(WindowStateError);
    expect((error as WindowStateError).message).toContain('clicks-per-page');
    // Nothing was replaced: the operator still holds its own window.
    expect(opOf(strict).windowCount).toBe(1);
  });
});

describe('the pane path in checkpoints: pane tables hold fired panes, firing counts and elements', () => {
  type CheckpointOp = Op | { kind: 'early' } | { kind: 'checkpoint' };
  /**
   * Runs `ops` on the pane path; at each 'checkpoint' and 'snapshot', takes a checkpoint (full, then
   * incremental: the chain of them since the first); at a 'snapshot', restores the chain into a new
   * operator, on the general path when `general`. Every table of the pane path is a pane table: none of window rows.
   */
  function checkpointed(size: number, lateness: number, fn: Fn, ops: CheckpointOp[], general: boolean): string[] {
    const late = new SideOutput<StreamRecord<number, string>>('late');
    let h = harness(factory(size, lateness, false, fn, late, new Counters()));
    let watermark = 0;
    const out: StreamElement<unknown, unknown>[] = [];
    const chain: Snapshot[] = [];
    for (const op of ops) {
      if (op.kind === 'rec') h.process(rec(op.v, op.ts, op.key));
      else if (op.kind === 'wm') {
        watermark += op.t;
        h.process(wm(watermark));
      } else if (op.kind === 'early') h.process({ kind: 'control', type: 'fire-early' });
      else {
        const id = chain.length + 1;
        const state = opOf(h).snapshotCheckpoint(pending(id, id > 1));
        if (opOf(h).stateAccess.panes !== null)
          for (const table of Object.keys(state.keyed ?? {})) expect(table).toMatch(/^\d+\/(pane|fired):/);
        chain.push({
          formatVersion: SNAPSHOT_FORMAT_VERSION,
          pipelineId: 'panes',
          checkpointId: id,
          kind: 'checkpoint',
          createdAt: 0,
          ...(id > 1 ? { parentCheckpointId: id - 1 } : {}),
          operators: { w: structuredClone(state) },
          sources: {},
          watermarks: {},
        });
        if (op.kind === 'checkpoint') continue;
        out.push(...h.takeOutput());
        h = harness(factory(size, lateness, general, fn, late, new Counters()));
        const [full, ...deltas] = chain;
        opOf(h).restoreCheckpoint(applyDeltas(full!, deltas).operators['w']!);
      }
    }
    h.process(END_OF_STREAM);
    out.push(...h.takeOutput());
    return render(out);
  }
  const checkpointOps: fc.Arbitrary<CheckpointOp[]> = fc.array(
    fc.oneof(
      ...recordsAndWatermarks,
      { weight: 1, arbitrary: fc.constant({ kind: 'early' as const }) },
      { weight: 2, arbitrary: fc.constant({ kind: 'checkpoint' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'snapshot' as const }) },
    ),
    { maxLength: 60 },
  );

  for (const fn of ['aggregate', 'reduce+process', 'process'] as const) {
    it(`property (${fn}): a chain of full and incremental checkpoints restores what the run has, on either path`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 30 }),
          fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(Infinity)),
          checkpointOps,
          (size, lateness, ops) => {
            const straight = ops.filter((op) => op.kind !== 'snapshot' && op.kind !== 'checkpoint');
            const expected = sortedRuns(checkpointed(size, lateness, fn, straight, false));
            expect(sortedRuns(checkpointed(size, lateness, fn, ops, false))).toEqual(expected);
            expect(sortedRuns(checkpointed(size, lateness, fn, ops, true))).toEqual(expected);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('an early firing, an incremental checkpoint, the on-time firing and another: the restored late pane has both counts', () => {
    const ops: CheckpointOp[] = [
      { kind: 'rec', key: 'a', ts: 1, v: 1 },
      { kind: 'early' },
      { kind: 'checkpoint' },
      { kind: 'wm', t: 10 },
      { kind: 'snapshot' },
      { kind: 'rec', key: 'a', ts: 2, v: 2 },
    ];
    const expected = checkpointed(
      10,
      5,
      'aggregate',
      ops.filter((op) => op.kind === 'rec' || op.kind === 'wm' || op.kind === 'early'),
      false,
    );
    expect(expected.join('\n')).toContain('LATE#2');
    for (const general of [false, true])
      expect(sortedRuns(checkpointed(10, 5, 'aggregate', ops, general))).toEqual(sortedRuns(expected));
  });

  it('a pane that fired is a table of [acc, count] rows; the elements of a process function are rows { values, times }', () => {
    const late = new SideOutput<StreamRecord<number, string>>('late');
    const h = harness(factory(10, 5, false, 'process', late, new Counters()));
    h.process(rec(1, 1, 'a'), rec(2, 12, 'a'), wm(9), rec(3, 3, 'a'));
    const state = opOf(h).snapshotCheckpoint(pending(1, false));
    expect(state.state).toMatchObject({ elements: true, watermark: 9 });
    const group = keyGroupOf('a');
    expect(state.keyed).toEqual({
      [`${group}/fired:0:10`]: { kind: 'full', keys: ['a'], values: [[{ values: [1, 3], times: [1, 3] }, 2]] },
      [`${group}/pane:10:20`]: { kind: 'full', keys: ['a'], values: [{ values: [2], times: [12] }] },
    });
  });
});
