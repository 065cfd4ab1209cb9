/**
 * The timers of the general window path (Flink's `InternalTimerService` for one operator): an
 * event-time and a processing-time TimerQueue. Each window remembers the timer times it holds,
 * which deduplicates them per (key, window, time) as Flink's timer service does and lets deleted
 * timers be skipped lazily. Only the earliest processing-time timer is scheduled on the runtime's
 * ProcessingTimeService.
 */
import type { StreamElement } from '../core/elements.js';
import type { OperatorRuntime } from '../core/operator.js';
import { TimerQueue } from './timer-queue.js';
import { addTime, removeTime, type WindowState } from './window-state.js';

/** The event-time and processing-time timers of one window operator. */
export class WindowTimers {
  readonly eventTimers = new TimerQueue<WindowState>();
  readonly processingTimers = new TimerQueue<WindowState>();
  readonly #runtime: OperatorRuntime;
  readonly #onProcessingTime: (out: StreamElement<unknown, unknown>[]) => void;
  #scheduledAt = Infinity;
  #cancelScheduled: (() => void) | null = null;

  /** `onProcessingTime` runs when the scheduled processing-time timer comes due. */
  constructor(runtime: OperatorRuntime, onProcessingTime: (out: StreamElement<unknown, unknown>[]) => void) {
    this.#runtime = runtime;
    this.#onProcessingTime = onProcessingTime;
  }

  /** Registers a timer of `ws` at `time`; a second registration of the same timer is a no-op. */
  register(ws: WindowState, time: number, eventTime: boolean): void {
    if (eventTime) {
      if (!addTime(ws, time, true)) return;
      this.eventTimers.add(time, ws);
    } else {
      if (!addTime(ws, time, false)) return;
      this.processingTimers.add(time, ws);
      if (time < this.#scheduledAt) this.schedule();
    }
  }

  /** Deletes a timer; its queue entry is skipped lazily when it comes due. */
  remove(ws: WindowState, time: number, eventTime: boolean): void {
    removeTime(ws, time, eventTime);
  }

  /** Takes `time` out of the window's timers; false if the timer was deleted or the window is gone. */
  take(ws: WindowState, time: number, eventTime: boolean): boolean {
    return ws.alive && removeTime(ws, time, eventTime);
  }

  /**
   * The time processing-time timers are due at when they fire: the runtime's clock, or the time
   * they were scheduled for if the clock lags behind it.
   */
  dueTime(): number {
    return Math.max(this.#runtime.processingTime.now(), this.#scheduledAt === Infinity ? -Infinity : this.#scheduledAt);
  }

  /** Schedules the earliest processing-time timer on the runtime, in place of the one scheduled. */
  schedule(): void {
    const next = this.processingTimers.peek();
    if (next === this.#scheduledAt) return;
    this.#cancelScheduled?.();
    this.#cancelScheduled = null;
    this.#scheduledAt = next;
    if (next === Infinity) return;
    this.#cancelScheduled = this.#runtime.processingTime.schedule<unknown, unknown>(next, (out) => {
      this.#cancelScheduled = null;
      this.#scheduledAt = Infinity;
      this.#onProcessingTime(out);
    });
  }

  /** Cancels the scheduled processing-time timer. */
  dispose(): void {
    this.#cancelScheduled?.();
    this.#cancelScheduled = null;
    this.#scheduledAt = Infinity;
  }

  /** Drops every timer (before a restore). */
  clear(): void {
    this.eventTimers.clear();
    this.processingTimers.clear();
  }
}
