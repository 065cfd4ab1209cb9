/**
 * Evictors remove elements from a window before or after its function runs (Flink's `Evictor`,
 * `CountEvictor`, `TimeEvictor`, `DeltaEvictor`). A window with an evictor keeps all its elements,
 * as in Flink's EvictingWindowOperator, and folds reduce/aggregate functions at firing time.
 */
import { InvalidOptionError } from '../core/errors.js';
import { positiveInteger } from '../core/options.js';
import type { TimeWindow } from './windows.js';

/** An element with its timestamp, as evictors see it (Flink's `TimestampedValue`). */
export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: number;
}

/** What an evictor can read besides the elements. */
export interface EvictorContext {
  /** The operator's current event-time watermark (-Infinity before the first). */
  readonly currentWatermark: number;
  /** Processing time now, from the injected scheduler. */
  currentProcessingTime(): number;
}

/**
 * An evictor: each method receives the window's elements in arrival order and returns those to keep.
 *
 * @example
 * ```ts
 * const dropNegatives: Evictor<number> = { evictBefore: (elements) => elements.filter((e) => e.value >= 0) };
 * ```
 */
export interface Evictor<T> {
  /** A name that describes the evictor; the built-in ones set it, e.g. `countEvictor(100)`. */
  readonly name?: string;
  /**
   * Called when `window` fires, before its function runs. Returns the elements to keep: they replace
   * the window's contents and are all the function sees; if none are left, the function does not run.
   */
  evictBefore?(elements: TimestampedValue<T>[], window: TimeWindow, ctx: EvictorContext): TimestampedValue<T>[];
  /**
   * Called when `window` fires, after its function ran. Returns the elements to keep in the window
   * for its later firings.
   */
  evictAfter?(elements: TimestampedValue<T>[], window: TimeWindow, ctx: EvictorContext): TimestampedValue<T>[];
}

/**
 * Keeps the last `maxCount` elements (Flink's CountEvictor), before the window function runs, or
 * after it when `{ after: true }`.
 *
 * @example
 * ```ts
 * window(globalWindows(), { trigger: countTrigger(10), evictor: countEvictor(100) }).aggregate(average((x: number) => x));
 * ```
 */
export function countEvictor<T = unknown>(maxCount: number, options: { after?: boolean } = {}): Evictor<T> {
  positiveInteger('countEvictor maxCount', maxCount);
  const evict = (elements: TimestampedValue<T>[]): TimestampedValue<T>[] =>
    elements.length <= maxCount ? elements : elements.slice(elements.length - maxCount);
  return Object.freeze(
    options.after === true
      ? { name: `countEvictor(${maxCount}, after)`, evictAfter: evict }
      : { name: `countEvictor(${maxCount})`, evictBefore: evict },
  );
}

/**
 * Evicts every element with `timestamp <= maxTimestamp - windowSize`, where maxTimestamp is the largest timestamp in the
 * window (Flink's TimeEvictor).
 *
 * @example
 * ```ts
 * window(globalWindows(), { trigger: countTrigger(10), evictor: timeEvictor(60_000) }).process(...);
 * ```
 */
export function timeEvictor<T = unknown>(windowSize: number, options: { after?: boolean } = {}): Evictor<T> {
  if (typeof windowSize !== 'number' || !Number.isSafeInteger(windowSize) || windowSize < 0) {
    throw new InvalidOptionError(
      'timeEvictor windowSize',
      windowSize,
      'must be a non-negative integer number of milliseconds',
    );
  }
  const evict = (elements: TimestampedValue<T>[]): TimestampedValue<T>[] => {
    if (elements.length === 0) return elements;
    let max = -Infinity;
    for (const e of elements) if (e.timestamp > max) max = e.timestamp;
    const cutoff = max - windowSize;
    return elements.filter((e) => e.timestamp > cutoff);
  };
  return Object.freeze(
    options.after === true
      ? { name: `timeEvictor(${windowSize}, after)`, evictAfter: evict }
      : { name: `timeEvictor(${windowSize})`, evictBefore: evict },
  );
}

/**
 * Evicts every element whose `delta` to the last element of the window is at least `threshold`
 * (Flink's DeltaEvictor).
 *
 * @example
 * ```ts
 * window(globalWindows(), { trigger: countTrigger(5), evictor: deltaEvictor(10, (a: number, b: number) => Math.abs(a - b)) }).process(...);
 * ```
 */
export function deltaEvictor<T>(
  threshold: number,
  delta: (a: T, b: T) => number,
  options: { after?: boolean } = {},
): Evictor<T> {
  if (typeof threshold !== 'number' || Number.isNaN(threshold))
    throw new InvalidOptionError('deltaEvictor threshold', threshold, 'must be a number');
  const evict = (elements: TimestampedValue<T>[]): TimestampedValue<T>[] => {
    if (elements.length === 0) return elements;
    const last = elements[elements.length - 1]!.value;
    return elements.filter((e) => !(delta(e.value, last) >= threshold));
  };
  return Object.freeze(
    options.after === true
      ? { name: `deltaEvictor(${threshold}, after)`, evictAfter: evict }
      : { name: `deltaEvictor(${threshold})`, evictBefore: evict },
  );
}
