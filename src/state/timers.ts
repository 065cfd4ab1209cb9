/**
 * Timers of keyed operators, after Flink's InternalTimerServiceImpl with the heap priority queue
 * set (HeapPriorityQueueSet): event-time and processing-time timers per (key, namespace, time),
 * deduplicated, deletable, firing in time order. The window operator keeps its timers here too, with
 * the window as namespace (Flink's InternalTimer<K, W>; src/window/window-timers.ts).
 *
 * Each time domain keeps its timers in a TimerQueue (timer-queue.ts), checkpointed as one row per
 * key (timer-rows.ts) or exported as columns (timer-export.ts).
 *
 * Processing-time timers: only the earliest is scheduled on the ProcessingTimeService (the injected
 * scheduler), and it is rescheduled when an earlier one is registered or when it fires.
 */
import type { KeyedTableSnapshot } from '../core/state-snapshot.js';
import { MIN_WATERMARK, type StreamElement } from '../core/elements.js';
import type { KeyPart } from '../core/keys.js';
import type { ProcessingTimeService } from '../core/time.js';
import type { Namespace } from './state-types.js';
import { StateRestoreError } from './errors.js';
import { RestoreChecks } from './restore-checks.js';
import { exportTimers, importTimers, type TimerServiceSnapshot } from './timer-export.js';
import { TimerQueue } from './timer-queue.js';
import type { TimerTarget } from './timer-types.js';

// The timer service is the one door to timers: what it hands around is exported with it.
export type { InternalTimer, TimerTarget } from './timer-types.js';
export type { TimersSnapshot, TimerServiceSnapshot } from './timer-export.js';
export { TimerQueue } from './timer-queue.js';

/**
 * Event-time and processing-time timers of one operator (Flink's InternalTimerServiceImpl).
 * The operator passes the current key explicitly; `advanceWatermark` fires due event-time timers;
 * processing-time timers fire from the injected scheduler into their own output batch.
 */
export class InternalTimerService<O, KO> {
  readonly #eventTime = new TimerQueue();
  readonly #processingTime = new TimerQueue();
  readonly #clock: ProcessingTimeService;
  readonly #target: TimerTarget<O, KO>;
  #watermark = MIN_WATERMARK;
  #cancelNext: (() => void) | undefined;
  #quiesced = false;

  constructor(clock: ProcessingTimeService, target: TimerTarget<O, KO>) {
    this.#clock = clock;
    this.#target = target;
  }

  /** The last watermark passed to `advanceWatermark`. */
  get currentWatermark(): number {
    return this.#watermark;
  }

  /** Processing time now, from the injected scheduler's clock. */
  currentProcessingTime(): number {
    return this.#clock.now();
  }

  get eventTimeTimers(): number {
    return this.#eventTime.size;
  }

  get processingTimeTimers(): number {
    return this.#processingTime.size;
  }

  /**
   * Registers an event-time timer of key id `id` (in `namespace`, or none) at `time`: it fires
   * through the target's `onEventTime` when `advanceWatermark` reaches `time`. Registering the same
   * (key, namespace, time) again does nothing.
   */
  registerEventTimeTimer(id: KeyPart, keyGroup: number, namespace: Namespace | undefined, time: number): void {
    this.#eventTime.add(id, keyGroup, namespace, time);
  }

  /** Deletes the event-time timer of (key id, namespace, time); does nothing if there is none. */
  deleteEventTimeTimer(id: KeyPart, namespace: Namespace | undefined, time: number): void {
    this.#eventTime.remove(id, namespace, time);
  }

  /**
   * Registers a processing-time timer of key id `id` (in `namespace`, or none) at `time`: it fires
   * through the target's `onProcessingTime` when the scheduler's clock reaches `time`. Registering
   * the same (key, namespace, time) again does nothing, and so does any registration after
   * `quiesceProcessingTime`.
   */
  registerProcessingTimeTimer(id: KeyPart, keyGroup: number, namespace: Namespace | undefined, time: number): void {
    // After the end of input the processing-time service is quiesced, as in Flink
    // (StreamOperatorWrapper, FLINK-14231): new timers are ignored.
    if (this.#quiesced) return;
    const oldHead = this.#processingTime.peek();
    if (this.#processingTime.add(id, keyGroup, namespace, time) && (oldHead === undefined || time < oldHead.time)) {
      this.#schedule(time);
    }
  }

  /** Deletes the processing-time timer of (key id, namespace, time); does nothing if there is none. */
  deleteProcessingTimeTimer(id: KeyPart, namespace: Namespace | undefined, time: number): void {
    // The scheduled wake-up stays: if it finds nothing due it reschedules for the next timer.
    this.#processingTime.remove(id, namespace, time);
  }

  /** Live timers of one key (both domains), for inspection and tests. */
  timersOf(id: KeyPart): { eventTime: number[]; processingTime: number[] } {
    return {
      eventTime: this.#eventTime.timersOf(id).map((t) => t.time),
      processingTime: this.#processingTime.timersOf(id).map((t) => t.time),
    };
  }

  /**
   * Timer times of one key in one namespace (a window), per domain, in registration order: what a
   * window exports of its timers.
   */
  timersIn(id: KeyPart, namespace: Namespace | undefined): { eventTime: number[]; processingTime: number[] } {
    return {
      eventTime: this.#eventTime.timersIn(id, namespace).map((t) => t.time),
      processingTime: this.#processingTime.timersIn(id, namespace).map((t) => t.time),
    };
  }

  /** Whether the key has a timer of either domain in `namespace` (a window with timers is kept). */
  hasTimersIn(id: KeyPart, namespace: Namespace | undefined): boolean {
    return this.#eventTime.hasTimerIn(id, namespace) || this.#processingTime.hasTimerIn(id, namespace);
  }

  /**
   * Sets the watermark and fires, in time order, every event-time timer with time <= watermark,
   * including timers registered by those firings (Flink's advanceWatermark).
   */
  advanceWatermark(watermark: number, out: StreamElement<O, KO>[]): void {
    this.#watermark = watermark;
    const queue = this.#eventTime;
    for (let timer = queue.peek(); timer !== undefined && timer.time <= watermark; timer = queue.peek()) {
      queue.poll();
      this.#target.onEventTime(timer, out);
    }
  }

  /**
   * Stops processing time at the end of input, as Flink does (pending processing-time timers do not
   * fire once the input has ended; FLINK-14231). Returns how many pending timers were dropped.
   */
  quiesceProcessingTime(): number {
    this.#quiesced = true;
    this.#cancelNext?.();
    this.#cancelNext = undefined;
    const dropped = this.#processingTime.size;
    this.#processingTime.clear();
    return dropped;
  }

  /** Exports pending timers of both kinds and the current watermark as plain data. */
  snapshot(): TimerServiceSnapshot {
    return {
      watermark: this.#watermark,
      eventTime: exportTimers(this.#eventTime),
      processingTime: exportTimers(this.#processingTime),
    };
  }

  /** Replaces all timers with exported ones and schedules the earliest processing-time timer. */
  restore(snapshot: unknown, uid: string | undefined): void {
    const s = snapshot as Partial<TimerServiceSnapshot> | null;
    if (typeof s !== 'object' || s === null) throw new StateRestoreError(uid, 'timers must be { watermark, eventTime, processingTime }');
    new RestoreChecks(uid).watermark(s.watermark, 'state.timers.watermark');
    importTimers(this.#eventTime, s.eventTime, uid, 'eventTime');
    importTimers(this.#processingTime, s.processingTime, uid, 'processingTime');
    this.#restored(s.watermark!);
  }

  #restored(watermark: number): void {
    // The next checkpoint of the timers is full: a delta would be relative to the state before the restore.
    this.#eventTime.forgetChanges();
    this.#processingTime.forgetChanges();
    this.#watermark = watermark;
    this.#cancelNext?.();
    this.#cancelNext = undefined;
    const head = this.#processingTime.peek();
    if (head !== undefined && !this.#quiesced) this.#schedule(head.time);
  }

  /**
   * Pending timers as checkpoint tables, one row per key (see `TimerQueue.checkpointRows`); the
   * watermark goes with the operator's non-keyed state.
   */
  checkpointTables(incremental: boolean): { readonly eventTime: KeyedTableSnapshot; readonly processingTime: KeyedTableSnapshot } {
    return { eventTime: this.#eventTime.checkpointRows(incremental), processingTime: this.#processingTime.checkpointRows(incremental) };
  }

  /** Replaces all timers with full tables from `checkpointTables` and schedules the earliest processing-time timer. */
  restoreTables(watermark: number, eventTime: unknown, processingTime: unknown, uid: string | undefined): void {
    new RestoreChecks(uid).watermark(watermark, 'state.watermark');
    this.#eventTime.restoreRows(eventTime, uid, 'eventTime');
    this.#processingTime.restoreRows(processingTime, uid, 'processingTime');
    this.#restored(watermark);
  }

  /** Drops every timer and the scheduled wake-up (before state is restored into the operator). */
  clear(): void {
    this.dispose();
    this.#eventTime.clear();
    this.#processingTime.clear();
  }

  /** Cancels the scheduled processing-time wake-up. */
  dispose(): void {
    this.#cancelNext?.();
    this.#cancelNext = undefined;
  }

  #schedule(time: number): void {
    this.#cancelNext?.();
    this.#cancelNext = this.#clock.schedule<O, KO>(time, (out) => this.#onProcessingTime(out));
  }

  #onProcessingTime(out: StreamElement<O, KO>[]): void {
    // Cleared first so that timers registered by the firings below can schedule a wake-up.
    this.#cancelNext = undefined;
    const now = this.#clock.now();
    const queue = this.#processingTime;
    let timer = queue.peek();
    while (timer !== undefined && timer.time <= now && !this.#quiesced) {
      queue.poll();
      this.#target.onProcessingTime(timer, out);
      timer = queue.peek();
    }
    if (timer !== undefined && this.#cancelNext === undefined && !this.#quiesced) this.#schedule(timer.time);
  }
}

