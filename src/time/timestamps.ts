import { InvalidTimestampError } from '../core/errors.js';

/**
 * Why `timestamp` cannot be an event timestamp, or undefined if it can. Timestamps are safe
 * integers of milliseconds, as Flink's `long` timestamps: window ends, `end - 1` and watermarks
 * `max - delay - 1` are only exact on integers.
 *
 * @example
 * ```ts
 * timestampProblem(1_700_000_000_000); // undefined
 * timestampProblem(new Date());        // 'the timestamp is a Date, not a number of milliseconds: return date.getTime()'
 * ```
 */
export function timestampProblem(timestamp: unknown): string | undefined {
  if (typeof timestamp === 'number') {
    if (Number.isSafeInteger(timestamp)) return undefined;
    if (Number.isNaN(timestamp)) return 'the timestamp is NaN';
    if (!Number.isFinite(timestamp)) return 'the timestamp is infinite';
    if (!Number.isInteger(timestamp))
      return 'the timestamp is not an integer number of milliseconds (round it, e.g. Math.floor)';
    return 'the timestamp is beyond Number.MAX_SAFE_INTEGER';
  }
  if (timestamp === undefined || timestamp === null)
    return `the timestamp is missing (the extractor returned ${String(timestamp)})`;
  if (timestamp instanceof Date) return 'the timestamp is a Date, not a number of milliseconds: return date.getTime()';
  if (typeof timestamp === 'string')
    return 'the timestamp is not a number but a string: parse it in the extractor (Number(s), or Date.parse(s) for a date)';
  if (typeof timestamp === 'bigint')
    return 'the timestamp is not a number but a bigint: convert it in the extractor (Number(b))';
  return `the timestamp is not a number but a ${typeof timestamp}`;
}

/**
 * Throws an `InvalidTimestampError` naming the element if `timestamp` is not a usable timestamp;
 * returns it otherwise. For operators that assign or change timestamps themselves.
 *
 * @example
 * ```ts
 * const line = '2026-11-30T20:00:00.000Z GET /home';
 * const ts = checkTimestamp(Date.parse(line.slice(0, 24)), line); // NaN on a bad line: a typed error naming it
 * ```
 */
export function checkTimestamp(timestamp: unknown, element: unknown): number {
  const problem = timestampProblem(timestamp);
  if (problem !== undefined) throw new InvalidTimestampError(element, timestamp, problem);
  return timestamp as number;
}
