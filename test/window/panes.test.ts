/**
 * Tumbling event-time windows with the default trigger, an incremental function and no lateness
 * run on a pane table (src/window/panes.ts) instead of per-key window states and timers. The same
 * operator with a copy of the default trigger (same behaviour, not recognised as the default) runs
 * on the general layout. Both must give the very same output, in the same order (not only sorted
 * between watermarks), the same late records, and state each can restore.
 *
 * After a restore, windows that end at the same time fire in the order of the state's keys (as the
 * timers they are registered with), and the two layouts list keys in different orders: outputs of
 * runs with snapshots are compared sorted between watermarks, as Flink's assertOutputEqualsSorted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../src/core/counters.js';
import { END_OF_STREAM, type StreamElement, type StreamRecord } from '../../src/core/elements.js';
import type { OperatorRuntime } from '../../src/core/operator.js';
import { SideOutput } from '../../src/rx/side-output.js';
import {
  average,
  combine,
  count,
  defineTrigger,
  eventTimeTrigger,
  max,
  min,
  sum,
  tumblingEventTimeWindows,
  type Trigger,
  type WindowAggregateFunction,
  WindowStateError,
} from '../../src/window/index.js';
import { WindowOperator, type WindowOperatorState } from '../../src/engine/index.js';
import type { WindowResult } from '../../src/window/types.js';
import { FIRE_EARLY_ELEMENT } from '../../src/window/fire-early.js';
import { harness, rec, show, wm } from './helpers.js';

type Op =
  | { kind: 'rec'; key: string; ts: number; v: number }
  | { kind: 'wm'; t: number }
  | { kind: 'snapshot' }
  | { kind: 'fire' };
type Factory = (runtime: OperatorRuntime) => WindowOperator<number, string, unknown>;

type Aggregate = WindowAggregateFunction<number, unknown, unknown>;
const countAndSum = (): Aggregate => combine({ n: count(), s: sum() }) as Aggregate;

function factory(
  size: number,
  offset: number,
  general: boolean,
  late: SideOutput<StreamRecord<number, string>>,
  counters: Counters,
  aggregate: () => Aggregate = countAndSum,
): Factory {
  const trigger = general ? defineTrigger({ ...(eventTimeTrigger() as Trigger<number>) }) : undefined;
  return (runtime) =>
    new WindowOperator<number, string, unknown>(
      {
        assigner: tumblingEventTimeWindows(size, offset),
        fn: { kind: 'aggregate', aggregate: aggregate() as never },
        keyed: true,
        lateOutput: late,
        counters,
        ...(trigger === undefined ? {} : { trigger }),
      },
      runtime,
    );
}

/** Runs the ops; a snapshot step exports the state and imports it into a fresh operator of `next`. */
function run(
  make: Factory,
  ops: Op[],
  next: Factory = make,
): { out: StreamElement<unknown, unknown>[]; states: WindowOperatorState[] } {
  let h = harness(make);
  let watermark = 0;
  const out: StreamElement<unknown, unknown>[] = [];
  const states: WindowOperatorState[] = [];
  for (const op of ops) {
    if (op.kind === 'rec') h.process(rec(op.v, op.ts, op.key));
    else if (op.kind === 'fire') h.process(FIRE_EARLY_ELEMENT);
    else if (op.kind === 'wm') {
      watermark += op.t;
      h.process(wm(watermark));
    } else {
      const state = structuredClone(h.operator.snapshotState!() as WindowOperatorState);
      states.push(state);
      out.push(...h.takeOutput());
      h = harness(next);
      h.operator.restoreState!(state);
    }
  }
  h.process(END_OF_STREAM);
  out.push(...h.takeOutput());
  return { out, states };
}

const opsArb: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('rec' as const),
        key: fc.constantFrom('a', 'b', 'c', 'd'),
        ts: fc.integer({ min: -50, max: 300 }),
        v: fc.integer({ min: 0, max: 9 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('wm' as const), t: fc.integer({ min: 1, max: 40 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'snapshot' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'fire' as const }) },
  ),
  { maxLength: 80 },
);

/**
 * State with keys and each key's windows in a canonical order: the two layouts list them in
 * different orders (a key's windows end at different times, so their order means nothing).
 */
function canonical(state: WindowOperatorState): WindowOperatorState {
  const keys = state.keys.map((k) => ({ ...k, windows: [...k.windows].sort((a, b) => a.start - b.start) }));
  return { ...state, keys: keys.sort((a, b) => String(a.key).localeCompare(String(b.key))) };
}

/** Each result's key, window and pane, sorted: the panes of both layouts must be numbered alike. */
function sortedPanes(out: readonly StreamElement<unknown, unknown>[]): string[] {
  return out
    .filter((e) => e.kind === 'record')
    .map((e) => {
      const { key, window, pane } = e.value as WindowResult<string, unknown>;
      return `${key} ${window.start} ${pane.timing} ${pane.index} ${pane.isFirst} ${pane.isLast}`;
    })
    .sort();
}

/** The property of the first test below, for one aggregate. */
function sameAsGeneralLayout(aggregate: () => Aggregate, numRuns: number): void {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 49 }), opsArb, (size, rawOffset, ops) => {
      const offset = rawOffset % size;
      const outputs = [];
      for (const [general, next] of [
        [false, false],
        [true, true],
        [false, true],
        [true, false],
      ] as const) {
        const late = new SideOutput<StreamRecord<number, string>>('late');
        const seen: StreamRecord<number, string>[] = [];
        late.subscribe((r) => seen.push(r));
        const counters = new Counters();
        const result = run(
          factory(size, offset, general, late, counters, aggregate),
          ops,
          factory(size, offset, next, late, counters, aggregate),
        );
        outputs.push({ ...result, seen, late: counters.get('lateRecordsToSideOutput') });
      }
      const [paned, plain, panedToPlain, plainToPaned] = outputs;
      const sorted = show(paned!.out as never);
      // Early firings (fire-early.ts) and the on-time firings after them number their panes alike.
      const panes = sortedPanes(paned!.out);
      for (const o of [plain, panedToPlain, plainToPaned]) expect(sortedPanes(o!.out)).toEqual(panes);
      expect(show(plain!.out as never)).toEqual(sorted);
      expect(show(panedToPlain!.out as never)).toEqual(sorted);
      expect(show(plainToPaned!.out as never)).toEqual(sorted);
      expect(paned!.seen).toEqual(plain!.seen);
      expect(paned!.late).toBe(plain!.late);
      expect(paned!.states.map(canonical)).toEqual(plain!.states.map(canonical));
      // Without snapshots, the very same order (but for the keys of an early firing: the layouts keep
      // their keys in different orders, and Flink, which has no such firing, defines none).
      const straight = ops.filter((op) => op.kind !== 'snapshot');
      const none = new SideOutput<StreamRecord<number, string>>('late');
      const a = run(factory(size, offset, false, none, new Counters(), aggregate), straight).out;
      const b = run(factory(size, offset, true, none, new Counters(), aggregate), straight).out;
      if (straight.some((op) => op.kind === 'fire')) expect(show(a as never)).toEqual(show(b as never));
      else expect(a).toEqual(b);
    }),
    { numRuns },
  );
}

describe('pane table (tumbling, default trigger, no lateness) against the general layout', () => {
  it("same output in the same order, same late records, equivalent state; each restores the other's state", () => {
    sameAsGeneralLayout(countAndSum, 1500);
  });

  // The pane table keeps built-in aggregates in number columns (src/window/aggregate-columns.ts),
  // other aggregates as accumulators: both must give the general layout's results and state.
  it('every built-in aggregate, combined or alone, in number columns: same results and state, restores both ways', () => {
    const all = (): Aggregate =>
      combine({ n: count(), s: sum(), lo: min(), hi: max(), mean: average((v: number) => v / 2) }) as Aggregate;
    sameAsGeneralLayout(all, 300);
    sameAsGeneralLayout(() => average() as Aggregate, 200);
    sameAsGeneralLayout(() => max((v: number) => -v) as Aggregate, 200);
  });

  // The pane table builds a combine's results with a constructor of their own (exactly sized): the
  // user must still receive plain objects, the general layout's, property for property and in order.
  it("a combine's results from number columns are plain objects with the parts in order, as the general layout's", () => {
    const all = (): Aggregate => combine({ s: sum(), n: count(), lo: min() }) as Aggregate;
    const ops: Op[] = [
      { kind: 'rec', key: 'a', ts: 1, v: 3 },
      { kind: 'rec', key: 'b', ts: 2, v: 5 },
      { kind: 'rec', key: 'a', ts: 3, v: 1 },
      { kind: 'wm', t: 20 },
    ];
    const results = (general: boolean): unknown[] =>
      run(factory(10, 0, general, new SideOutput('late'), new Counters(), all), ops).out.flatMap((e) =>
        e.kind === 'record' ? [(e.value as { value: unknown }).value] : [],
      );
    const fast = results(false);
    expect(fast).toStrictEqual([
      { s: 4, n: 2, lo: 1 },
      { s: 5, n: 1, lo: 5 },
    ]);
    expect(fast).toStrictEqual(results(true));
    for (const value of fast) {
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.keys(value as object)).toEqual(['s', 'n', 'lo']);
    }
    expect(JSON.stringify(fast)).toBe('[{"s":4,"n":2,"lo":1},{"s":5,"n":1,"lo":5}]');
  });

  it('a combine with a part that is not built in keeps accumulators, with the same results and state', () => {
    const custom: WindowAggregateFunction<number, number, number> = {
      createAccumulator: () => 1,
      add: (v, acc) => (acc * (v + 1)) % 1000,
      getResult: (acc) => acc,
      merge: (a, b) => (a * b) % 1000,
    };
    sameAsGeneralLayout(() => combine({ n: count(), p: custom }) as Aggregate, 300);
  });

  it('restores state a pane table cannot hold (windows past their end) on the general layout; without it, a typed error', () => {
    const late = new SideOutput<StreamRecord<number, string>>('late');
    const lateness = (runtime: OperatorRuntime): WindowOperator<number, string, unknown> =>
      new WindowOperator<number, string, unknown>(
        {
          assigner: tumblingEventTimeWindows(10),
          fn: { kind: 'aggregate', aggregate: combine({ n: count(), s: sum() }) as never },
          keyed: true,
          allowedLateness: 20,
        },
        runtime,
      );
    const h = harness(lateness);
    h.process(rec(1, 1, 'a'), rec(1, 12, 'b'), wm(15));
    const state = structuredClone(h.operator.snapshotState!());
    expect(h.takeOutput().length).toBeGreaterThan(0);
    // The pane table without lateness has no general path: it cannot take the fired window [0, 10).
    const paned = harness(factory(10, 0, false, late, new Counters()));
    expect(() => paned.operator.restoreState!(state)).toThrow(WindowStateError);
    expect(() => paned.operator.restoreState!(state)).toThrow(/without the general window path/);
    const r = harness(factory(10, 0, true, late, new Counters()));
    r.operator.restoreState!(state);
    r.process(rec(1, 3, 'a'), rec(1, 14, 'b'), wm(40));
    expect(show(r.takeOutput() as never)).toContain('b [10,20) {"n":2,"s":2} @19');
  });

  it('many keys, a lagging watermark: many live panes with thousands of keys each, same output in the same order', () => {
    // 20,000 keys, then 30,000, each with a window in most panes, and up to eight live panes.
    const elements: StreamElement<number, string>[] = [];
    for (let i = 0; i < 120_000; i++) {
      const ts = Math.floor(i / 100) - (i % 7) * 3;
      elements.push(rec(i % 10, ts, `k${(i * 7919) % (i < 60_000 ? 20_000 : 30_000)}`));
      if (i % 500 === 499) elements.push(wm(Math.floor(i / 100) - 80));
    }
    const late = new SideOutput<StreamRecord<number, string>>('late');
    const outputs = [false, true].map((general) => {
      const h = harness(factory(10, 0, general, late, new Counters()));
      // One call per element: 120,000 spread arguments sit at the edge of the call stack.
      for (const element of elements) h.process(element);
      h.process(END_OF_STREAM);
      return h.takeOutput();
    });
    expect(outputs[0]!.length).toBeGreaterThan(100_000);
    expect(outputs[0]).toEqual(outputs[1]);
  });

  it('counts live windows and keys like the general layout', () => {
    const late = new SideOutput<StreamRecord<number, string>>('late');
    for (const general of [false, true]) {
      const h = harness(factory(10, 0, general, late, new Counters()));
      const operator = h.operator as WindowOperator<number, string, unknown>;
      h.process(rec(1, 1, 'a'), rec(1, 2, 'b'), rec(1, 15, 'a'), rec(1, 3, 'a'));
      expect([operator.windowCount, operator.keyCount]).toEqual([3, 2]);
      h.process(wm(9));
      expect([operator.windowCount, operator.keyCount]).toEqual([1, 1]);
    }
  });
});
