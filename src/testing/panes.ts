/**
 * Pane assertions, after Beam's `PAssert.that(…).inOnTimePane(window)`, `inEarlyPane`, `inLatePane`
 * and `inFinalPane`: predicates that select the results of one kind of firing (of one window, or of
 * every window), for RxJS's `filter` in a marble test or `Array.prototype.filter` on collected
 * results. Each `WindowResult` tells its firing in its `pane` field (Beam's PaneInfo).
 */
import type { PaneInfo } from '../window/pane-info.js';
import type { WindowResult } from '../window/types.js';
import type { TimeWindow } from '../window/windows.js';

/** Whether a window result is in the selected panes: for `filter` (RxJS or arrays). */
export type PaneSelector = <K, R>(result: WindowResult<K, R>) => boolean;

/** A selector of the results of `window` (any window when omitted) whose pane passes `test`. */
function selector(window: TimeWindow | undefined, test: (pane: PaneInfo) => boolean): PaneSelector {
  return (result) =>
    test(result.pane) &&
    (window === undefined || (result.window.start === window.start && result.window.end === window.end));
}

/**
 * Selects the results of the on-time firing: the one when the watermark reaches the window's end
 * (`end - 1`), at most one per window (Beam's `PAssert…inOnTimePane(window)`).
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ expectObservable }) => {
 *   const results = testStream<number>()
 *     .addElements(timestamped(1, 1), timestamped(2, 2)) // frame 0
 *     .advanceWatermarkTo(9)                             // frame 1: [0, 10) fires on time
 *     .pipe(keyBy(() => 'all'), window(tumblingEventTimeWindows(10)).aggregate(count()), toValues());
 *   expectObservable(results.pipe(filter(inOnTimePane({ start: 0, end: 10 })), map((r) => r.value))).toBe('-(x|)', { x: 2 });
 * });
 * ```
 */
export function inOnTimePane(window?: TimeWindow): PaneSelector {
  return selector(window, (pane) => pane.timing === 'ON_TIME');
}

/**
 * Selects the results of early firings: before the watermark reached the window's end, e.g. from
 * a count or continuous trigger (Beam's `PAssert…inEarlyPane(window)`).
 *
 * @example
 * ```ts
 * const results = await lastValueFrom(testStream<number>()
 *   .addElements(timestamped(1, 1), timestamped(2, 2), timestamped(3, 3))
 *   .pipe(keyBy(() => 'all'), window(tumblingEventTimeWindows(10), { trigger: countTrigger(2) }).aggregate(sum((n: number) => n)), toValues(), toArray()));
 * // The count trigger fires the window early at its second element (and never on time).
 * expect(results.filter(inEarlyPane({ start: 0, end: 10 })).map((r) => r.value)).toEqual([3]);
 * ```
 */
export function inEarlyPane(window?: TimeWindow): PaneSelector {
  return selector(window, (pane) => pane.timing === 'EARLY');
}

/**
 * Selects the results of late firings: after the on-time one, for elements that came within the
 * allowed lateness (Beam's `PAssert…inLatePane(window)`).
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ expectObservable }) => {
 *   const results = testStream<number>()
 *     .addElements(timestamped(1, 1)) // frame 0
 *     .advanceWatermarkTo(9)          // frame 1: on time, with 1
 *     .addElements(timestamped(2, 2)) // frame 2: late, within the lateness: fires again with 1 and 2
 *     .pipe(keyBy(() => 'all'), window(tumblingEventTimeWindows(10), { allowedLateness: 100 }).aggregate(count()), toValues());
 *   expectObservable(results.pipe(filter(inLatePane()), map((r) => r.value))).toBe('--x|', { x: 2 });
 * });
 * ```
 */
export function inLatePane(window?: TimeWindow): PaneSelector {
  return selector(window, (pane) => pane.timing === 'LATE');
}

/**
 * Selects the results of a window's final firing (`pane.isLast`): its state is cleared right after
 * (the end of its allowed lateness, or of the input), or a purging trigger emptied it (Beam's
 * `PAssert…inFinalPane(window)`). A window cleared without firing has no final pane.
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ expectObservable }) => {
 *   const results = testStream<number>()
 *     .addElements(timestamped(1, 1), timestamped(2, 12)) // frame 0
 *     .advanceWatermarkTo(9)                              // frame 1: [0, 10) fires, no lateness: final
 *     .pipe(keyBy(() => 'all'), window(tumblingEventTimeWindows(10)).aggregate(count()), toValues());
 *   // [10, 20) fires at the end of the input (frame 2), its final pane too.
 *   expectObservable(results.pipe(filter(inFinalPane()), map((r) => r.window.start))).toBe('-a(b|)', { a: 0, b: 10 });
 * });
 * ```
 */
export function inFinalPane(window?: TimeWindow): PaneSelector {
  return selector(window, (pane) => pane.isLast);
}
