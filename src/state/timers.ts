/**
 * Timers of keyed operators, after Flink's InternalTimerServiceImpl with the heap priority queue
 * set (HeapPriorityQueueSet): event-time and processing-time timers per (key, namespace, time),
 * deduplicated, deletable, firing in time order. The window operator keeps its timers here too, with
 * the window as namespace (Flink's InternalTimer<K, W>; src/window/window-timers.ts).
 *
 * Each time domain keeps its timers in a TimerQueue (timer-queue.ts), exported as one row per key
 * (timer-rows.ts) with the keyed state of the operator (`rowSources`).
 *
 * Processing-time timers: only the earliest is scheduled on the ProcessingTimeService (the injected
 * scheduler), and it is rescheduled when an earlier one is registered or when it fires.
 */
import { MIN_WATERMARK, type StreamElement } from '../core/elements.js';
import type { KeyPart } from '../core/keys.js';
import type { ProcessingTimeService } from '../core/time.js';
import type { Namespace } from './state-types.js';
import { RestoreChecks } from './restore-checks.js';
import type { KeyedRowSource } from './row-source.js';
import { TimerQueue } from './timer-queue.js';
import type { TimerTarget } from './timer-types.js';

// The timer service is the one door to timers: what it hands around is exported with it.
export type { InternalTimer, TimerTarget } from './timer-types.js';
export { TimerQueue } from './timer-queue.js';

/** The names of the timer rows in the key-grouped export (the table of key group 7: `7/timers:event-time`). */
export const EVENT_TIME_ROWS = 'timers:event-time';
export const PROCESSING_TIME_ROWS = 'timers:processing-time';

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

  /**
   * Both time domains as rows per key (`timers:event-time`, `timers:processing-time`), to attach to
   * the operator's keyed state backend, which exports and restores them with its states. After a
   * restore, call `restored(watermark)`.
   */
  rowSources(uid: string | undefined): readonly KeyedRowSource[] {
    return [
      this.#eventTime.rowSource(EVENT_TIME_ROWS, uid, 'eventTime'),
      this.#processingTime.rowSource(PROCESSING_TIME_ROWS, uid, 'processingTime'),
    ];
  }

  /**
   * Ends a restore: sets the watermark (from the operator's non-keyed state; a `StateRestoreError`
   * naming `uid` and `field` if it is none) and schedules the earliest restored processing-time timer.
   */
  restored(watermark: unknown, uid: string | undefined, field = 'state.watermark'): void {
    this.#watermark = new RestoreChecks(uid).watermark(watermark, field);
    this.#cancelNext?.();
    this.#cancelNext = undefined;
    const head = this.#processingTime.peek();
    if (head !== undefined && !this.#quiesced) this.#schedule(head.time);
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
