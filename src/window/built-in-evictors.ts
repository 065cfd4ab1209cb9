/**
 * The built-in evictors (Flink's `CountEvictor`, `TimeEvictor`, `DeltaEvictor`); the contract is in
 * evictors.ts. Each brings the window operator's general path, which runs evictors (window-path.ts).
 */
import { InvalidOptionError } from '../core/errors.js';
import { positiveInteger } from '../core/options.js';
import type { Evictor, TimestampedValue } from './evictors.js';
import { generalPath } from './general-windows.js';

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
      ? { name: `countEvictor(${maxCount}, after)`, evictAfter: evict, generalPath }
      : { name: `countEvictor(${maxCount})`, evictBefore: evict, generalPath },
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
      ? { name: `timeEvictor(${windowSize}, after)`, evictAfter: evict, generalPath }
      : { name: `timeEvictor(${windowSize})`, evictBefore: evict, generalPath },
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
      ? { name: `deltaEvictor(${threshold}, after)`, evictAfter: evict, generalPath }
      : { name: `deltaEvictor(${threshold})`, evictBefore: evict, generalPath },
  );
}
