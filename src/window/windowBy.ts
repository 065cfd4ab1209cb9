import { window } from './window.js';

/**
 * `window`, under a name that shadows nothing: in browser code, importing `window` hides the
 * global `window` in that module (and RxJS has an unrelated `window` operator). `windowBy` reads
 * like `keyBy`, which it follows: key by a selector, then window by an assigner. It is the same
 * function as `window`; Flink's name stays the main one.
 *
 * @example
 * ```ts
 * clicks$.pipe(
 *   withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(2_000) }),
 *   keyBy((c) => c.page),
 *   windowBy(tumblingEventTimeWindows(60_000)).aggregate(count()),
 *   toValues(),
 * ); // the browser's `window` stays visible in this module
 * ```
 */
export const windowBy: typeof window = window;
