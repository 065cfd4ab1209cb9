/**
 * The timers of the general window path, in the one timer service of the keyed state layer
 * (src/state/timers.ts), as Flink's WindowOperator keeps them in its InternalTimerService: each timer
 * is (key, namespace = the window, time), deduplicated and deletable there, and fires through the
 * target the general path hands over, which finds the window again by key and namespace.
 */
import type { OperatorRuntime } from '../core/operator.js';
import { InternalTimerService, type TimerTarget } from '../state/timers.js';
import type { TimerAccess } from './trigger-context.js';
import type { WindowState } from './window-state.js';

/** The event-time and processing-time timers of one window operator, by window. */
export class WindowTimers implements TimerAccess {
  /** The timer service; the general path advances its watermark. */
  readonly service: InternalTimerService<unknown, unknown>;
  readonly #runtime: OperatorRuntime;

  /** Due timers fire into `target`. */
  constructor(runtime: OperatorRuntime, target: TimerTarget<unknown, unknown>) {
    this.#runtime = runtime;
    this.service = new InternalTimerService(runtime.processingTime, target);
  }

  /** Processing time now, from the runtime's clock. */
  now(): number {
    return this.#runtime.processingTime.now();
  }

  /** Registers a timer of `ws` at `time`; a second registration of the same timer is a no-op. */
  register(ws: WindowState, time: number, eventTime: boolean): void {
    const entry = ws.entry;
    if (eventTime) this.service.registerEventTimeTimer(entry.id, entry.keyGroup, ws.ns, time);
    else this.service.registerProcessingTimeTimer(entry.id, entry.keyGroup, ws.ns, time);
  }

  /** Deletes a timer of `ws`; nothing if there is none. */
  remove(ws: WindowState, time: number, eventTime: boolean): void {
    if (eventTime) this.service.deleteEventTimeTimer(ws.entry.id, ws.ns, time);
    else this.service.deleteProcessingTimeTimer(ws.entry.id, ws.ns, time);
  }

  /** Whether `ws` holds a timer of either domain. */
  hasTimers(ws: WindowState): boolean {
    return this.service.hasTimersIn(ws.entry.id, ws.ns);
  }

  /** The timer times of `ws` in one domain, in registration order (what the window exports). */
  timesOf(ws: WindowState, eventTime: boolean): number[] {
    const times = this.service.timersIn(ws.entry.id, ws.ns);
    return eventTime ? times.eventTime : times.processingTime;
  }

  /** Cancels the scheduled processing-time wake-up. */
  dispose(): void {
    this.service.dispose();
  }

  /** Drops every timer (before a restore). */
  clear(): void {
    this.service.clear();
  }
}
