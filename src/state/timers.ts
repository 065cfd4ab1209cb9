/**
 * Timers of keyed operators, after Flink's InternalTimerServiceImpl with the heap priority queue
 * set (HeapPriorityQueueSet): event-time and processing-time timers per (key, namespace, time),
 * deduplicated, deletable, firing in time order. Reusable by window operators (the namespace is
 * the window).
 *
 * The queue is a binary min-heap ordered by (time, registration order) plus an index per key for
 * deduplication and deletion. Deletion is lazy: a deleted timer stays in the heap until it reaches
 * the top, and the heap is rebuilt when stale entries outnumber live ones. Registration order breaks
 * ties, so timers of equal time fire in the order they were registered, also after export/import.
 *
 * Processing-time timers: only the earliest is scheduled on the ProcessingTimeService (the injected
 * scheduler), and it is rescheduled when an earlier one is registered or when it fires.
 */
import type { KeyedTableSnapshot } from '../core/state-snapshot.js';
import { MIN_WATERMARK, type StreamElement } from '../core/elements.js';
import { keyId, type Key, type KeyPart } from '../core/keys.js';
import type { ProcessingTimeService } from '../core/time.js';
import type { Namespace } from './state-types.js';
import { StateRestoreError } from './errors.js';
import { RestoreChecks } from './restore-checks.js';
import { keyFromId } from './key-id.js';

/** A registered timer. */
export interface InternalTimer {
  /** Event time or processing time (ms) at which it fires. */
  readonly time: number;
  /** `keyId(key)` of the key it belongs to. */
  readonly keyId: KeyPart;
  /** The key group of that key (so that output records and snapshots keep it). */
  readonly keyGroup: number;
  /** The namespace (a window), or undefined. */
  readonly namespace: Namespace | undefined;
  /** Registration order; breaks ties between equal times. */
  readonly seq: number;
}

type Slot = number | string;

function slotOf(namespace: Namespace | undefined, time: number): Slot {
  return namespace === undefined ? time : `${typeof namespace}:${namespace}@${time}`;
}

/** Min-heap of timers with deduplication per (key, namespace, time) and lazy deletion. */
export class TimerQueue {
  #heap: InternalTimer[] = [];
  /** Per key: its only timer, or a map of its timers by slot (most keys have one timer). */
  readonly #index = new Map<KeyPart, InternalTimer | Map<Slot, InternalTimer>>();
  #size = 0;
  #seq = 0;
  /** Keys whose timers changed since the last `checkpointRows`, once that was called. */
  #changed: Set<KeyPart> | undefined;

  /** Number of live (registered, not deleted, not fired) timers. */
  get size(): number {
    return this.#size;
  }

  /** Registers a timer; returns false if the same (key, namespace, time) was already registered. */
  add(id: KeyPart, keyGroup: number, namespace: Namespace | undefined, time: number): boolean {
    const slot = slotOf(namespace, time);
    const existing = this.#index.get(id);
    let timer: InternalTimer;
    if (existing === undefined) {
      timer = { time, keyId: id, keyGroup, namespace, seq: this.#seq++ };
      this.#index.set(id, timer);
    } else if (existing instanceof Map) {
      if (existing.has(slot)) return false;
      timer = { time, keyId: id, keyGroup, namespace, seq: this.#seq++ };
      existing.set(slot, timer);
    } else {
      if (slotOf(existing.namespace, existing.time) === slot) return false;
      timer = { time, keyId: id, keyGroup, namespace, seq: this.#seq++ };
      this.#index.set(id, new Map<Slot, InternalTimer>([[slotOf(existing.namespace, existing.time), existing], [slot, timer]]));
    }
    this.#size++;
    this.#changed?.add(id);
    this.#push(timer);
    return true;
  }

  /** Deletes a timer; returns false if there was none. */
  remove(id: KeyPart, namespace: Namespace | undefined, time: number): boolean {
    const slot = slotOf(namespace, time);
    const existing = this.#index.get(id);
    if (existing === undefined) return false;
    if (existing instanceof Map) {
      if (!existing.delete(slot)) return false;
      if (existing.size === 0) this.#index.delete(id);
    } else {
      if (slotOf(existing.namespace, existing.time) !== slot) return false;
      this.#index.delete(id);
    }
    this.#size--;
    this.#changed?.add(id);
    // Rebuild when stale entries dominate, so repeated register/delete cannot grow the heap forever.
    if (this.#heap.length > 64 && this.#heap.length > 2 * this.#size) this.#rebuild();
    return true;
  }

  /** Whether this exact timer object is still registered (not deleted, not fired). */
  #isLive(timer: InternalTimer): boolean {
    const existing = this.#index.get(timer.keyId);
    if (existing === undefined) return false;
    if (existing instanceof Map) return existing.get(slotOf(timer.namespace, timer.time)) === timer;
    return existing === timer;
  }

  /** The earliest live timer, without removing it. */
  peek(): InternalTimer | undefined {
    const heap = this.#heap;
    while (heap.length > 0 && !this.#isLive(heap[0]!)) this.#pop();
    return heap[0];
  }

  /** Removes and returns the earliest live timer. */
  poll(): InternalTimer | undefined {
    const head = this.peek();
    if (head === undefined) return undefined;
    this.#pop();
    this.remove(head.keyId, head.namespace, head.time);
    return head;
  }

  /** Live timers in firing order. */
  toSortedArray(): InternalTimer[] {
    const live = this.#heap.filter((t) => this.#isLive(t));
    return live.sort(compare);
  }

  /** Live timers of one key. */
  timersOf(id: KeyPart): InternalTimer[] {
    const existing = this.#index.get(id);
    if (existing === undefined) return [];
    return existing instanceof Map ? [...existing.values()] : [existing];
  }

  clear(): void {
    if (this.#changed !== undefined) for (const id of this.#index.keys()) this.#changed.add(id);
    this.#heap = [];
    this.#index.clear();
    this.#size = 0;
  }

  /**
   * The timers as a checkpoint table with one row per key: `[keyGroup, time, seq, time, seq, ...]`,
   * a timer with a namespace as a nested `[time, seq, namespace]`. `seq` (registration order) keeps
   * the firing order of equal times across a restore. With `incremental`, only the keys whose
   * timers changed since the previous call (a key left with none is in `deletes`); the first call
   * is full and starts recording changes.
   */
  checkpointRows(incremental: boolean): KeyedTableSnapshot {
    const changed = this.#changed;
    this.#changed = new Set();
    const keys: Key[] = [];
    const values: unknown[] = [];
    if (!incremental || changed === undefined) {
      for (const [id, timers] of this.#index) {
        keys.push(keyFromId(id));
        values.push(timerRow(timers instanceof Map ? [...timers.values()] : [timers]));
      }
      return { kind: 'full', keys, values };
    }
    const deletes: Key[] = [];
    for (const id of changed) {
      const timers = this.timersOf(id);
      if (timers.length === 0) deletes.push(keyFromId(id));
      else {
        keys.push(keyFromId(id));
        values.push(timerRow(timers));
      }
    }
    return { kind: 'delta', keys, values, deletes };
  }

  /**
   * Replaces all timers with the rows of a full table from `checkpointRows`, in their recorded
   * firing order. The next `checkpointRows` is full.
   */
  restoreRows(table: unknown, uid: string | undefined, what: string): void {
    const t = table as Partial<Extract<KeyedTableSnapshot, { kind: 'full' }>> | null;
    const fail = (reason: string): never => {
      throw new StateRestoreError(uid, `${what} timers: ${reason}`);
    };
    if (typeof t !== 'object' || t === null || t.kind !== 'full' || !Array.isArray(t.keys) || !Array.isArray(t.values) || t.keys.length !== t.values.length) {
      return fail('expected a full table of keys and rows of equal length');
    }
    const timers: { id: KeyPart; keyGroup: number; namespace: Namespace | undefined; time: number; seq: number }[] = [];
    for (let i = 0; i < t.keys.length; i++) {
      const id = keyId(t.keys[i]!);
      const row = t.values[i];
      if (!Array.isArray(row) || typeof row[0] !== 'number') return fail(`the row of key ${String(t.keys[i])} must be [keyGroup, time, seq, ...]`);
      const keyGroup = row[0];
      for (let j = 1; j < row.length; ) {
        const entry: unknown = row[j];
        const [time, seq, namespace] = Array.isArray(entry) ? (entry as [unknown, unknown, unknown]) : [entry, row[j + 1], undefined];
        j += Array.isArray(entry) ? 1 : 2;
        if (!Number.isSafeInteger(time) || typeof seq !== 'number') return fail(`key ${String(t.keys[i])} has a timer at ${String(time)}`);
        timers.push({ id, keyGroup, namespace: namespace as Namespace | undefined, time: time as number, seq });
      }
    }
    timers.sort((a, b) => a.time - b.time || a.seq - b.seq);
    this.clear();
    for (const timer of timers) this.add(timer.id, timer.keyGroup, timer.namespace, timer.time);
    this.forgetChanges();
  }

  /** Stops recording changes until the next `checkpointRows`, which is then full. */
  forgetChanges(): void {
    this.#changed = undefined;
  }

  #rebuild(): void {
    const live = this.#heap.filter((t) => this.#isLive(t));
    this.#heap = live;
    for (let i = (live.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  #push(timer: InternalTimer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(heap[parent]!, timer) <= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[start]!;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && compare(heap[child + 1]!, heap[child]!) < 0) child++;
      if (compare(heap[child]!, item) >= 0) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  }
}

/** A key's timers as one checkpoint row (see `TimerQueue.checkpointRows`). */
function timerRow(timers: readonly InternalTimer[]): unknown[] {
  const row: unknown[] = [timers[0]!.keyGroup];
  for (const t of timers) {
    if (t.namespace === undefined) row.push(t.time, t.seq);
    else row.push([t.time, t.seq, t.namespace]);
  }
  return row;
}

function compare(a: InternalTimer, b: InternalTimer): number {
  return a.time - b.time || a.seq - b.seq;
}

/** What fires timers: the operator that owns the timer service (Flink's Triggerable). */
export interface TimerTarget<O, KO> {
  onEventTime(timer: InternalTimer, out: StreamElement<O, KO>[]): void;
  onProcessingTime(timer: InternalTimer, out: StreamElement<O, KO>[]): void;
}

/** Columns of exported timers in firing order; `ns` only when some timer has a namespace. */
export interface TimersSnapshot {
  readonly keys: readonly Key[];
  readonly keyGroups: readonly number[];
  readonly times: readonly number[];
  readonly ns?: readonly (Namespace | null)[];
}

/** Exported state of a timer service. */
export interface TimerServiceSnapshot {
  readonly watermark: number;
  readonly eventTime: TimersSnapshot;
  readonly processingTime: TimersSnapshot;
}

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

  currentProcessingTime(): number {
    return this.#clock.now();
  }

  get eventTimeTimers(): number {
    return this.#eventTime.size;
  }

  get processingTimeTimers(): number {
    return this.#processingTime.size;
  }

  registerEventTimeTimer(id: KeyPart, keyGroup: number, namespace: Namespace | undefined, time: number): void {
    this.#eventTime.add(id, keyGroup, namespace, time);
  }

  deleteEventTimeTimer(id: KeyPart, namespace: Namespace | undefined, time: number): void {
    this.#eventTime.remove(id, namespace, time);
  }

  registerProcessingTimeTimer(id: KeyPart, keyGroup: number, namespace: Namespace | undefined, time: number): void {
    // After the end of input the processing-time service is quiesced, as in Flink
    // (StreamOperatorWrapper, FLINK-14231): new timers are ignored.
    if (this.#quiesced) return;
    const oldHead = this.#processingTime.peek();
    if (this.#processingTime.add(id, keyGroup, namespace, time) && (oldHead === undefined || time < oldHead.time)) {
      this.#schedule(time);
    }
  }

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

function exportTimers(queue: TimerQueue): TimersSnapshot {
  const timers = queue.toSortedArray();
  const keys: Key[] = new Array(timers.length);
  const keyGroups: number[] = new Array(timers.length);
  const times: number[] = new Array(timers.length);
  let withNamespace = false;
  for (let i = 0; i < timers.length; i++) {
    const t = timers[i]!;
    keys[i] = keyFromId(t.keyId);
    keyGroups[i] = t.keyGroup;
    times[i] = t.time;
    if (t.namespace !== undefined) withNamespace = true;
  }
  if (!withNamespace) return { keys, keyGroups, times };
  return { keys, keyGroups, times, ns: timers.map((t) => t.namespace ?? null) };
}

function importTimers(queue: TimerQueue, data: unknown, uid: string | undefined, what: string): void {
  const s = data as Partial<TimersSnapshot> | null;
  if (
    typeof s !== 'object' || s === null || !Array.isArray(s.keys) || !Array.isArray(s.keyGroups) || !Array.isArray(s.times) ||
    s.keys.length !== s.times.length || s.keyGroups.length !== s.times.length || (s.ns !== undefined && s.ns.length !== s.times.length)
  ) {
    throw new StateRestoreError(uid, `${what} timers must be columns keys, keyGroups, times of equal length`);
  }
  queue.clear();
  const check = new RestoreChecks(uid);
  for (let i = 0; i < s.times.length; i++) {
    const time = s.times[i]!;
    check.time(time, `state.timers.${what}.times[${i}]`);
    check.integer(s.keyGroups[i], `state.timers.${what}.keyGroups[${i}]`);
    const ns = s.ns?.[i];
    queue.add(keyId(s.keys[i]!), s.keyGroups[i]!, ns === null ? undefined : ns, time);
  }
}

