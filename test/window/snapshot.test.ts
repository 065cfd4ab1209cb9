/**
 * State export/import: "export after every input, import into a fresh operator, continue, same
 * output", for every kind of window state (accumulators, element lists, trigger state, merged
 * sessions, event-time and processing-time timers), through structuredClone (plain data only).
 */
import { describe, expect, it } from 'vitest';
import { END_OF_STREAM, type StreamElement } from '../../src/core/elements.js';
import type { OperatorRuntime } from '../../src/core/operator.js';
import { OperatorHarness } from '../../src/testing/harness.js';
import {
  combine,
  continuousEventTimeTrigger,
  continuousProcessingTimeTrigger,
  count,
  countEvictor,
  countTrigger,
  eventTimeSessionWindows,
  globalWindows,
  purgingTrigger,
  quantiles,
  slidingEventTimeWindows,
  sum,
  timeEvictor,
  tumblingEventTimeWindows,
  tumblingProcessingTimeWindows,
  WindowStateError,
  type WindowResult,
} from '../../src/window/index.js';
import type { WindowOperator } from '../../src/engine/index.js';
import { rec, show, windowOp, wm } from './helpers.js';

type Step = StreamElement<number, string> | { advance: number };
type Factory = (runtime: OperatorRuntime) => WindowOperator<number, string, unknown>;

function run(factory: Factory, steps: Step[], restoreEachStep: boolean): string[] {
  let h = new OperatorHarness(factory, { startTime: 0 });
  const out: StreamElement<WindowResult<unknown, unknown>, unknown>[] = [];
  for (const step of steps) {
    if ('advance' in step) h.advanceProcessingTime(step.advance);
    else h.process(step);
    if (restoreEachStep) {
      const state = structuredClone(h.operator.snapshotState!());
      out.push(...h.takeOutput());
      const now = h.now;
      h = new OperatorHarness(factory, { startTime: now });
      h.operator.restoreState!(state);
    }
  }
  h.process(END_OF_STREAM);
  out.push(...h.takeOutput());
  return show(out);
}

const events: Step[] = [
  rec(1, 5, 'a'),
  rec(2, 1500, 'a'),
  rec(3, 7, 'b'),
  wm(900),
  rec(4, 950, 'a'),
  rec(5, 20, 'b'),
  wm(1999),
  rec(6, 1800, 'a'),
  rec(7, 2100, 'b'),
  rec(8, 2500, 'b'),
  wm(2600),
  rec(9, 2650, 'a'),
  wm(4000),
];

describe('snapshotState/restoreState: export after every input, import into a fresh operator, same output', () => {
  const cases: [string, Factory][] = [
    [
      'tumbling + aggregate + lateness',
      windowOp(
        tumblingEventTimeWindows(1000),
        { kind: 'aggregate', aggregate: combine({ n: count(), s: sum() }) as never },
        { allowedLateness: 500 },
      ),
    ],
    [
      'sliding + reduce',
      windowOp(slidingEventTimeWindows(1000, 500), { kind: 'reduce', reduce: (a: number, b: number) => a + b }),
    ],
    [
      'sessions + process (element lists, merging)',
      windowOp(
        eventTimeSessionWindows(600),
        { kind: 'process', process: (xs, ctx, out) => out.collect(`${ctx.window.start}:${xs.join('+')}`) },
        { allowedLateness: 300 },
      ),
    ],
    [
      'sessions + count trigger (merged trigger state)',
      windowOp(
        eventTimeSessionWindows(600),
        { kind: 'reduce', reduce: (a: number, b: number) => a + b },
        { trigger: countTrigger(2) },
      ),
    ],
    [
      'continuous event-time trigger (fire-time state)',
      windowOp(
        tumblingEventTimeWindows(2000),
        { kind: 'reduce', reduce: (a: number, b: number) => a + b },
        { trigger: continuousEventTimeTrigger(300) },
      ),
    ],
    [
      'global + purging count trigger',
      windowOp(
        globalWindows(),
        { kind: 'reduce', reduce: (a: number, b: number) => a + b },
        { trigger: purgingTrigger(countTrigger(2)) },
      ),
    ],
    [
      'global + count trigger + count evictor (sliding count window)',
      windowOp(
        globalWindows(),
        { kind: 'process', process: (xs, _c, out) => out.collect(xs.join(',')) },
        { trigger: countTrigger(2), evictor: countEvictor(3) },
      ),
    ],
    [
      'time evictor',
      windowOp(
        tumblingEventTimeWindows(4000),
        { kind: 'reduce', reduce: (a: number, b: number) => a + b },
        { evictor: timeEvictor(1000) },
      ),
    ],
    [
      'quantiles (DDSketch exported through exportAccumulator)',
      windowOp(tumblingEventTimeWindows(1000), { kind: 'aggregate', aggregate: quantiles() as never }),
    ],
  ];
  for (const [name, factory] of cases) {
    it(name, () => {
      const plain = run(factory, events, false);
      expect(plain.filter((l) => !l.startsWith('W')).length).toBeGreaterThan(0);
      expect(run(factory, events, true)).toEqual(plain);
    });
  }

  it('processing-time windows and timers survive export/import', () => {
    const steps: Step[] = [
      { advance: 100 },
      rec(1, 0, 'a'),
      { advance: 500 },
      rec(2, 0, 'a'),
      rec(3, 0, 'b'),
      { advance: 999 },
      { advance: 1200 },
      rec(4, 0, 'a'),
      { advance: 2500 },
    ];
    const factory: Factory = windowOp(tumblingProcessingTimeWindows(1000), {
      kind: 'reduce',
      reduce: (a: number, b: number) => a + b,
    });
    const plain = run(factory, steps, false);
    expect(plain).toEqual(['a [0,1000) 3 @999', 'a [1000,2000) 4 @1999', 'b [0,1000) 3 @999', 'WInfinity']);
    expect(run(factory, steps, true)).toEqual(plain);
  });

  it('continuous processing-time trigger state survives export/import', () => {
    const steps: Step[] = [rec(1, 10, 'a'), { advance: 250 }, rec(2, 20, 'a'), { advance: 700 }, wm(5000)];
    const factory: Factory = windowOp(
      tumblingEventTimeWindows(10_000),
      { kind: 'reduce', reduce: (a: number, b: number) => a + b },
      { trigger: continuousProcessingTimeTrigger(200) },
    );
    const plain = run(factory, steps, false);
    expect(plain.slice(0, 3)).toEqual(['a [0,10000) 1 @9999', 'a [0,10000) 3 @9999', 'a [0,10000) 3 @9999']);
    expect(run(factory, steps, true)).toEqual(plain);
  });

  it('the export is plain data (JSON round trip when no Infinity is inside) and names its assigner', () => {
    const h = new OperatorHarness(
      windowOp(
        tumblingEventTimeWindows(1000),
        { kind: 'aggregate', aggregate: combine({ n: count(), s: sum() }) as never },
        { uid: 'clicks-per-second' },
      ),
    );
    h.process(wm(0), rec(5, 10, 'k'));
    const state = h.operator.snapshotState!();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(state).toMatchObject({
      version: 1,
      uid: 'clicks-per-second',
      assigner: 'tumblingEventTimeWindows',
      watermark: 0,
    });
  });

  it('refuses state of another shape or another assigner with a WindowStateError', () => {
    const tumbling = new OperatorHarness(
      windowOp(tumblingEventTimeWindows(1000), { kind: 'reduce', reduce: (a: number, b: number) => a + b }),
    );
    const sessions = new OperatorHarness(
      windowOp(eventTimeSessionWindows(1000), { kind: 'reduce', reduce: (a: number, b: number) => a + b }),
    );
    expect(() => tumbling.operator.restoreState!({ nope: true })).toThrow(WindowStateError);
    expect(() => sessions.operator.restoreState!(tumbling.operator.snapshotState!())).toThrow(
      /tumblingEventTimeWindows/,
    );
  });

  it('windowAll state (its single key has key group -1) restores, on the pane table and the general path', () => {
    for (const options of [{ keyed: false }, { keyed: false, allowedLateness: 100 }]) {
      const factory: Factory = windowOp(
        tumblingEventTimeWindows(1000),
        { kind: 'reduce', reduce: (a: number, b: number) => a + b },
        options,
      );
      const steps: Step[] = [rec(1, 10, 'a'), rec(2, 20, 'b'), wm(500), rec(3, 900, 'a'), wm(1500)];
      expect(run(factory, steps, true)).toEqual(run(factory, steps, false));
    }
  });

  it('snapshots do not share mutable accumulators with the live operator', () => {
    const h = new OperatorHarness(
      windowOp(tumblingEventTimeWindows(1000), {
        kind: 'aggregate',
        aggregate: combine({ n: count(), s: sum() }) as never,
      }),
    );
    h.process(rec(5, 10, 'k'));
    const before = JSON.stringify(h.operator.snapshotState!());
    const state = h.operator.snapshotState!();
    h.process(rec(7, 11, 'k'));
    expect(JSON.stringify(state)).toBe(before);
  });
});
