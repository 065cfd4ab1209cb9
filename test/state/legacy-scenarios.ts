/**
 * The runs behind the stored snapshots of test/fixtures/state/: each is an operator, the inputs
 * before a checkpoint and the inputs after it. legacy-snapshots.test.ts restores the stored
 * snapshot into a fresh operator, feeds the inputs after it and expects what the run without a
 * restore gives, so that the snapshots written before windows moved onto the keyed state layer
 * (issue 16) keep restoring.
 */
import { END_OF_STREAM, keyedRecord, watermark, type StreamElement } from '../../src/core/elements.js';
import { keyGroupOf } from '../../src/core/keys.js';
import type { OperatorRuntime, StreamOperator } from '../../src/core/operator.js';
import { KeyedProcessOperator, type KeyedProcessFunction } from '../../src/keyed/keyedProcess.js';
import { RollingReduceOperator } from '../../src/keyed/rollingReduce.js';
import { listState, mapState, valueState } from '../../src/state/descriptors.js';
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
  slidingEventTimeWindows,
  sum,
  timeEvictor,
  tumblingEventTimeWindows,
  tumblingProcessingTimeWindows,
} from '../../src/window/index.js';
import { windowOp } from '../window/helpers.js';

/** An input element, or an absolute processing time to advance the clock to. */
export type Step = StreamElement<number, string> | { readonly advance: number };

/** One stored run: `before` is fed, then a snapshot is taken, then `after` is fed and the input ends. */
export interface Scenario {
  /** The file name in test/fixtures/state/ (without `.json`). */
  readonly name: string;
  readonly create: (runtime: OperatorRuntime) => StreamOperator<number, string, unknown, string>;
  readonly before: readonly Step[];
  readonly after: readonly Step[];
}

const rec = (value: number, ts: number, key: string): StreamElement<number, string> =>
  keyedRecord(value, ts, key, keyGroupOf(key));
const wm = watermark;
const add = (a: number, b: number): number => a + b;
const asOperator = <O>(create: (runtime: OperatorRuntime) => StreamOperator<number, string, O, string>) =>
  create as (runtime: OperatorRuntime) => StreamOperator<number, string, unknown, string>;

/** Several keys, out-of-order records, late records within and beyond lateness. */
const events: readonly Step[] = [
  rec(1, 5, 'a'),
  rec(2, 1500, 'a'),
  rec(3, 7, 'b'),
  wm(900),
  rec(4, 950, 'a'),
  rec(5, 20, 'b'),
  rec(6, 1200, 'c'),
  wm(1999),
  rec(7, 1800, 'a'),
  rec(8, 2100, 'b'),
  rec(9, 2500, 'b'),
  { advance: 300 },
];
const laterEvents: readonly Step[] = [
  rec(10, 2650, 'a'),
  rec(11, 2400, 'c'),
  wm(2700),
  rec(12, 2710, 'b'),
  { advance: 900 },
  rec(13, 3300, 'a'),
  wm(4000),
  rec(14, 4100, 'c'),
  wm(6000),
];

const fn: KeyedProcessFunction<number, string, string> = {
  processElement(value, ctx) {
    const seen = ctx.getState(seenState);
    ctx.output(`${ctx.key} v${value} seen=${seen.value()} recent=${ctx.getListState(recentState).get().join(',')}`);
    seen.update((seen.value() ?? 0) + 1);
    ctx.getListState(recentState).add(value);
    ctx.getMapState(parityState).put(value % 2 ? 'odd' : 'even', value);
    ctx.timerService.registerEventTimeTimer(ctx.timestamp + 100 * (value % 3));
    if (value % 2 === 0) ctx.timerService.registerProcessingTimeTimer(ctx.currentProcessingTime() + 50 * value);
  },
  onTimer(time, ctx) {
    ctx.output(
      `${ctx.timeDomain} ${ctx.key} @${time} parity=${JSON.stringify(ctx.getMapState(parityState).entries())}`,
    );
    if (ctx.timeDomain === 'EVENT_TIME' && time % 200 === 0) ctx.timerService.registerEventTimeTimer(time + 150);
  },
};
const seenState = valueState<number>('seen', { ttl: { ttl: 5000 } });
const recentState = listState<number>('recent');
const parityState = mapState<string, number>('parity');

/** The stored runs, one fixture file each. */
export const scenarios: readonly Scenario[] = [
  {
    name: 'window-panes-tumbling-aggregate',
    create: asOperator(
      windowOp(
        tumblingEventTimeWindows(1000),
        { kind: 'aggregate', aggregate: combine({ n: count(), s: sum() }) as never },
        { uid: 'w' },
      ),
    ),
    before: events,
    after: laterEvents,
  },
  {
    name: 'window-all-panes-reduce',
    create: asOperator(
      windowOp(tumblingEventTimeWindows(1000), { kind: 'reduce', reduce: add }, { uid: 'w', keyed: false }),
    ),
    before: events,
    after: laterEvents,
  },
  {
    name: 'window-general-tumbling-lateness',
    create: asOperator(
      windowOp(tumblingEventTimeWindows(1000), { kind: 'reduce', reduce: add }, { uid: 'w', allowedLateness: 500 }),
    ),
    before: events,
    after: laterEvents,
  },
  {
    name: 'window-general-sliding-reduce',
    create: asOperator(windowOp(slidingEventTimeWindows(1000, 500), { kind: 'reduce', reduce: add }, { uid: 'w' })),
    before: events,
    after: laterEvents,
  },
  {
    name: 'window-general-sessions-process-lateness',
    create: asOperator(
      windowOp(
        eventTimeSessionWindows(600),
        { kind: 'process', process: (xs, ctx, out) => out.collect(`${ctx.window.start}:${xs.join('+')}`) },
        { uid: 'w', allowedLateness: 300 },
      ),
    ),
    before: events,
    after: laterEvents,
  },
  {
    name: 'window-general-sessions-count-trigger',
    create: asOperator(
      windowOp(eventTimeSessionWindows(1000), { kind: 'reduce', reduce: add }, { uid: 'w', trigger: countTrigger(2) }),
    ),
    before: events,
    after: laterEvents,
  },
  {
    name: 'window-general-continuous-event-trigger',
    create: asOperator(
      windowOp(
        tumblingEventTimeWindows(2000),
        { kind: 'reduce', reduce: add },
        { uid: 'w', trigger: continuousEventTimeTrigger(300) },
      ),
    ),
    before: events,
    after: laterEvents,
  },
  {
    name: 'window-general-global-count-evictor',
    create: asOperator(
      windowOp(
        globalWindows(),
        { kind: 'process', process: (xs, _c, out) => out.collect(xs.join(',')) },
        { uid: 'w', trigger: purgingTrigger(countTrigger(3)), evictor: countEvictor(2) },
      ),
    ),
    before: events,
    after: laterEvents,
  },
  {
    name: 'window-general-time-evictor',
    create: asOperator(
      windowOp(
        tumblingEventTimeWindows(4000),
        { kind: 'process', process: (xs, _c, out) => out.collect(xs.join(',')) },
        { uid: 'w', evictor: timeEvictor(1000) },
      ),
    ),
    before: events,
    after: laterEvents,
  },
  {
    name: 'window-general-processing-time',
    create: asOperator(windowOp(tumblingProcessingTimeWindows(1000), { kind: 'reduce', reduce: add }, { uid: 'w' })),
    before: [
      { advance: 100 },
      rec(1, 0, 'a'),
      { advance: 500 },
      rec(2, 0, 'a'),
      rec(3, 0, 'b'),
      { advance: 999 },
      { advance: 1200 },
      rec(4, 0, 'a'),
    ],
    after: [rec(5, 0, 'b'), { advance: 1500 }, rec(6, 0, 'a'), { advance: 2500 }],
  },
  {
    name: 'window-general-continuous-processing-trigger',
    create: asOperator(
      windowOp(
        tumblingEventTimeWindows(10_000),
        { kind: 'reduce', reduce: add },
        { uid: 'w', trigger: continuousProcessingTimeTrigger(200) },
      ),
    ),
    before: [rec(1, 10, 'a'), { advance: 250 }, rec(2, 20, 'a'), rec(3, 30, 'b')],
    after: [{ advance: 700 }, rec(4, 40, 'b'), { advance: 1000 }, wm(12_000)],
  },
  {
    name: 'keyed-process-state-and-timers',
    create: asOperator((runtime) => new KeyedProcessOperator<number, string, string>(fn, { uid: 'p' }, runtime)),
    before: [...events, rec(20, 2600, 'd')],
    after: [...laterEvents, { advance: 2000 }],
  },
  {
    name: 'rolling-reduce',
    create: asOperator((runtime) => new RollingReduceOperator<number, string>(add, { uid: 'r' }, runtime)),
    before: events,
    after: laterEvents,
  },
];

/** The end of every run. */
export const END: Step = END_OF_STREAM;
