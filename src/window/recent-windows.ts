/**
 * The last two tumbling windows the general path looked up. Most records fall into one of them,
 * which saves a floating-point modulo per record (slow for millisecond timestamps, which exceed 32
 * bits), and all keys share one window object per tumbling window (results carry it; it is
 * immutable) instead of one allocation per key and window.
 */
import { GLOBAL_WINDOW, windowEnd, windowStart, type TimeWindow } from './windows.js';

/**
 * `lookUp(time, ...)` sets `start` and `window` to the tumbling window of `time`.
 *
 * @example
 * ```ts
 * // internal: recent.lookUp(timestamp, setup.offset, setup.size, setup.global); add(recent.start, recent.window)
 * ```
 */
export class RecentTumblingWindows {
  /** The start of the window last looked up. */
  start = NaN;
  /** The window last looked up (the global window when the assigner's window is global). */
  window: TimeWindow | null = null;
  #start1 = NaN;
  #window1: TimeWindow | null = null;

  /** Sets `start` and `window` to the window of `time`, computed only when it is not one of the last two. */
  lookUp(time: number, offset: number, size: number, global: boolean): void {
    const start0 = this.start;
    if (time >= start0 && time - start0 < size) return;
    let start = this.#start1;
    let window = this.#window1;
    if (!(time >= start && time - start < size)) {
      start = windowStart(time, offset, size);
      window = global ? GLOBAL_WINDOW : { start, end: windowEnd(start, size) };
    }
    this.#start1 = start0;
    this.#window1 = this.window;
    this.start = start;
    this.window = window;
  }
}
