/**
 * The clock of the coordination layer. It is not an operator, so it may use the wall clock, but
 * tests inject their own to drive renewals and polls one step at a time.
 */

/** Reads the time and schedules callbacks; `systemClock` uses the wall clock and real timers. */
export interface CoordinationClock {
  /** Milliseconds, only compared with other readings of the same clock. */
  now(): number;
  /** Calls `callback` once after `delayMs`; the returned function cancels it. */
  schedule(callback: () => void, delayMs: number): () => void;
}

/**
 * The wall clock and `setTimeout`. Timers are unref'd so that a forgotten instance never keeps Node alive.
 *
 * @example
 * // internal: const cancel = systemClock.schedule(() => renew(), 1000);
 */
export const systemClock: CoordinationClock = {
  now: () => Date.now(),
  schedule(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    (timer as { unref?: () => void }).unref?.();
    return () => clearTimeout(timer);
  },
};
