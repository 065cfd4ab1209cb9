/**
 * Segments the parallel tests run in workers: each worker imports this module and takes the exported
 * segment by name. Their pipelines are the window and keyedProcess semantics the one-thread tests check.
 */
import { valueState } from '../../src/index.js';
import { keyedProcess, type KeyedProcessFunction } from '../../src/keyed/index.js';
import { defineSegment } from '../../src/parallel/index.js';
import {
  count,
  eventTimeSessionWindows,
  slidingEventTimeWindows,
  tumblingEventTimeWindows,
  window,
} from '../../src/window/index.js';

/** An event of the tests: a key, an amount and an event time. */
export interface Event {
  readonly key: string;
  readonly n: number;
  readonly at: number;
}

/** As Flink's testSlidingEventTimeWindowsReduce: size 3 s, slide 1 s, sum of `n`. */
export const slidingSums = defineSegment<Event, string, unknown>(import.meta.url, 'slidingSums', (input) =>
  input.pipe(
    window<Event, string>(slidingEventTimeWindows(3000, 1000)).reduce((a, b) => ({
      key: a.key,
      at: a.at,
      n: a.n + b.n,
    })),
  ),
);

/** Tumbling windows of 1 s counted: the pane path. */
export const tumblingCounts = defineSegment<Event, string, unknown>(import.meta.url, 'tumblingCounts', (input) =>
  input.pipe(window<Event, string>(tumblingEventTimeWindows(1000)).aggregate(count())),
);

/** Sessions with a gap of 500 ms counted: merging windows. */
export const sessionCounts = defineSegment<Event, string, unknown>(import.meta.url, 'sessionCounts', (input) =>
  input.pipe(window<Event, string>(eventTimeSessionWindows(500)).aggregate(count())),
);

const total = valueState<number>('total');

/**
 * A running total per key in keyed state, emitted with each record, and an event-time timer 250 ms
 * after each record. What it emits depends on the records of each key and their order only, not on
 * where the watermarks fall between them, so a restored run emits the same.
 */
export const runningTotals: KeyedProcessFunction<Event, string, string> = {
  processElement(value, ctx) {
    const state = ctx.getState(total);
    const sum = (state.value() ?? 0) + value.n;
    state.update(sum);
    ctx.output(`${ctx.key}#${sum}`);
    ctx.timerService.registerEventTimeTimer(value.at + 250);
  },
  onTimer(timestamp, ctx) {
    ctx.output(`${ctx.key}@${timestamp}`);
  },
};

/** `runningTotals` as a segment. */
export const timedTotals = defineSegment<Event, string, string>(import.meta.url, 'timedTotals', (input) =>
  input.pipe(keyedProcess<Event, string, string>(runningTotals, { uid: 'timed-totals' })),
);

/** Fails on the event of key 'boom'. */
export const failing = defineSegment<Event, string, Event>(import.meta.url, 'failing', (input) =>
  input.pipe(
    keyedProcess<Event, string, Event>({
      processElement(value, ctx) {
        if (value.key === 'boom') throw new Error(`bad event at ${value.at}`);
        ctx.output(value);
      },
    }),
  ),
);

/** Defined but not exported: a worker cannot find it. */
const hidden = defineSegment<Event, string, Event>(import.meta.url, 'hidden', (input) => input);
export const hiddenName = hidden.name;
/** The not-exported segment, for the test that expects the typed error. */
export function hiddenSegment(): typeof hidden {
  return hidden;
}

/** Tumbling windows of 1 s summed, with a uid: checkpointed and rescaled. */
export const tumblingSums = defineSegment<Event, string, unknown>(import.meta.url, 'tumblingSums', (input) =>
  input.pipe(
    window<Event, string>(tumblingEventTimeWindows(1000), { uid: 'sums' }).reduce((a, b) => ({
      key: a.key,
      at: a.at,
      n: a.n + b.n,
    })),
  ),
);
