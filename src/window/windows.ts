/**
 * Windows and their time arithmetic, after Flink's `TimeWindow` and `GlobalWindow`.
 */

/**
 * A window: the half-open interval `[start, end)` of event (or processing) time. A window's results
 * carry the timestamp `end - 1` (Flink's `TimeWindow.maxTimestamp()`).
 */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * The single window of `globalWindows()`, Flink's `GlobalWindow`. Flink gives it the maximum `long`
 * as its end; here it spans the safe-integer range so that its results keep a valid timestamp.
 */
export const GLOBAL_WINDOW: TimeWindow = /* @__PURE__ */ Object.freeze({
  start: Number.MIN_SAFE_INTEGER,
  end: Number.MAX_SAFE_INTEGER,
});

/**
 * The end of a window that starts at `start` and lasts `length`, capped at 2^53 so that its last
 * timestamp `end - 1` stays exact (Number.MAX_SAFE_INTEGER): timestamps are safe integers, and past
 * 2^53 a double cannot hold `end - 1`. The capped window still holds every timestamp after `start`.
 * (Flink's `long` arithmetic overflows there instead.)
 */
export function windowEnd(start: number, length: number): number {
  const end = start + length;
  return Math.min(end, MAX_WINDOW_END);
}

/** 2^53: the largest window end whose last timestamp, `end - 1`, is a safe integer. */
export const MAX_WINDOW_END = Number.MAX_SAFE_INTEGER + 1;

/**
 * The largest timestamp inside the window, `end - 1`: the timestamp of its results, and the
 * watermark at which an event-time window fires.
 *
 * @example
 * ```ts
 * maxTimestamp({ start: 0, end: 60_000 }); // 59999
 * ```
 */
export function maxTimestamp(window: TimeWindow): number {
  return window.end - 1;
}

/**
 * The start of the window of size `size` that holds `timestamp`, for windows aligned to `offset`
 * (Flink's `TimeWindow.getWindowStartWithOffset`). This is a floor-mod: it is exact for negative
 * timestamps and offsets, unlike `ts - (ts - offset + size) % size`, which is wrong for those.
 *
 * @example
 * ```ts
 * windowStart(61_500, 0, 60_000); // 60000
 * windowStart(-1, 0, 60_000);     // -60000
 * ```
 */
export function windowStart(timestamp: number, offset: number, size: number): number {
  const remainder = (timestamp - offset) % size;
  return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder;
}

/** Whether two windows overlap or touch (Flink's `TimeWindow.intersects`): such sessions merge. */
export function intersects(a: TimeWindow, b: TimeWindow): boolean {
  return a.start <= b.end && a.end >= b.start;
}
