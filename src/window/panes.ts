/**
 * The window operator's table for its most common configuration: tumbling event-time windows with
 * the default trigger, an incremental function (aggregate or reduce, no process function), no
 * evictor and no allowed lateness. There every key's window of one start fires at the same
 * watermark and is dropped right after, so instead of one state object, accumulator holder and
 * timer per key and window, the table keeps one pane per window start: the keys with data in that
 * window, in the order their window was created, and their accumulators side by side. A pane is
 * created with one timer and dropped whole when it fires. Flink keeps a timer per key and window;
 * the observable results are the same: a pane fires its keys in the order their timers were
 * registered, and panes fire in time order.
 *
 * Keys are numbered (a number per key, reused once the key has been idle a while) and their slots
 * in the live panes found through small typed arrays indexed by that number, as the hand-written
 * loop of bench/window-bench.ts does: one table lookup per record, and no table insert per new
 * window of a key.
 */
import { TimerQueue } from './timer-queue.js';
import { windowEnd, windowStart, type TimeWindow } from './windows.js';

/**
 * Each key remembers its slot in up to WAYS live panes, in the way `window number mod WAYS` (a key
 * has windows in two or three consecutive panes at most, unless the watermark lags far behind);
 * a slot whose way is taken by another live pane goes to that pane's `overflow` table.
 */
const WAYS = 4;

/** The windows of all keys that start at `window.start`: key numbers and accumulators side by side. */
export class Pane {
  /** The key number of each slot. */
  readonly keys: number[] = [];
  /** The accumulator of each slot; empty where the table keeps them in `columns`. */
  readonly accs: unknown[] = [];
  /** Slots by key number whose way was taken by another live pane; null while there is none. */
  overflow: Map<number, number> | null = null;
  /** The timestamp of the pane's results and the watermark that fires it: `end - 1`. */
  readonly maxTs: number;

  constructor(
    readonly window: TimeWindow,
    readonly way: number,
    /** The built-in aggregates' accumulators, a number column each, by slot (aggregate-columns.ts); else empty. */
    readonly columns: number[][],
  ) {
    this.maxTs = window.end - 1;
  }
}

/** How many keys a PaneTable keeps numbered at least, with or without windows (see `#sweep`). */
const KEYS_KEPT = 16_384;

/** The live panes of a tumbling window operator, by start, the order they fire in, and their keys. */
export class PaneTable<Id> {
  readonly #size: number;
  readonly #offset: number;
  readonly #byStart = new Map<number, Pane>();
  readonly #timers = new TimerQueue<Pane>();
  /** Windows in the live panes, over all keys. */
  #windows = 0;
  /** The watermark the last pane fired at: panes ending at or before it have fired. */
  #fired = -Infinity;
  // The last two panes used: most records fall into one of them, which saves a floating-point modulo
  // (slow for millisecond timestamps, which exceed 32 bits) and a table lookup per record.
  #pane0: Pane | null = null;
  #pane1: Pane | null = null;

  // Keys: number by id, and per number its key, key group, and per way the start of the pane its
  // slot is in (NaN: none) and the slot.
  readonly #numbers = new Map<Id, number>();
  readonly #free: number[] = [];
  #keys: unknown[] = [];
  #groups = new Int32Array(0);
  #wayStart = new Float64Array(0);
  #waySlot = new Int32Array(0);

  /** Creates each pane's accumulator columns (AggregateColumns.create), or none. */
  readonly #columns: () => number[][];

  constructor(size: number, offset: number, columns: () => number[][] = () => []) {
    this.#size = size;
    this.#offset = offset;
    this.#columns = columns;
  }

  /** The number of the key with id `id`, or -1 if it has none. */
  numberOf(id: Id): number {
    return this.#numbers.get(id) ?? -1;
  }

  /** Numbers a key that has no number yet. */
  addKey(id: Id, key: unknown, keyGroup: number): number {
    let k = this.#free.pop();
    if (k === undefined) {
      k = this.#keys.length;
      this.#keys.push(key);
      if (k >= this.#groups.length) this.#grow(Math.max(64, 2 * this.#groups.length));
    } else {
      this.#keys[k] = key;
    }
    this.#groups[k] = keyGroup;
    this.#numbers.set(id, k);
    return k;
  }

  #grow(capacity: number): void {
    const groups = new Int32Array(capacity);
    groups.set(this.#groups);
    this.#groups = groups;
    const wayStart = new Float64Array(capacity * WAYS).fill(NaN);
    wayStart.set(this.#wayStart);
    this.#wayStart = wayStart;
    const waySlot = new Int32Array(capacity * WAYS);
    waySlot.set(this.#waySlot);
    this.#waySlot = waySlot;
  }

  keyOf(k: number): unknown {
    return this.#keys[k];
  }

  groupOf(k: number): number {
    return this.#groups[k]!;
  }

  /** The slot of key `k` in `pane`, or -1 if it has no window there. */
  slotOf(k: number, pane: Pane): number {
    const j = k * WAYS + pane.way;
    if (this.#wayStart[j] === pane.window.start) return this.#waySlot[j]!;
    const overflow = pane.overflow;
    return overflow === null ? -1 : overflow.get(k) ?? -1;
  }

  /** Adds the window of key `k` in `pane`, which the key has none in yet, with its accumulator. */
  add(k: number, pane: Pane, acc: unknown): void {
    pane.accs[this.addSlot(k, pane)] = acc;
  }

  /**
   * Adds the window of key `k` in `pane`, which the key has none in yet, and returns its slot: the
   * next one, `pane.keys.length` before the call. The caller stores the accumulator (`pane.accs`
   * or `pane.columns`).
   */
  addSlot(k: number, pane: Pane): number {
    const slot = pane.keys.length;
    // Stores at the end rather than push(): TurboFan inlines them, push() stayed a builtin call here.
    pane.keys[slot] = k;
    this.#windows++;
    const j = k * WAYS + pane.way;
    const taken = this.#wayStart[j]!;
    // The way is free if it never held a pane or its pane has fired.
    if (Number.isNaN(taken) || taken + this.#size - 1 <= this.#fired) {
      this.#wayStart[j] = pane.window.start;
      this.#waySlot[j] = slot;
    } else {
      (pane.overflow ??= new Map()).set(k, slot);
    }
    return slot;
  }

  get windowCount(): number {
    return this.#windows;
  }

  /** The pane of the window that holds `timestamp`, created if needed; null if it is late (already fired). */
  paneFor(timestamp: number, watermark: number): Pane | null {
    let pane = this.#pane0;
    if (pane !== null && timestamp >= pane.window.start && timestamp < pane.window.end) return pane;
    pane = this.#pane1;
    if (pane === null || !(timestamp >= pane.window.start && timestamp < pane.window.end)) {
      const start = windowStart(timestamp, this.#offset, this.#size);
      // Flink's isWindowLate (lateness 0): the window was cleaned up when the watermark reached end - 1.
      if (start + this.#size - 1 <= watermark) return null;
      pane = this.#byStart.get(start) ?? this.#create(start);
    }
    this.#pane1 = this.#pane0;
    this.#pane0 = pane;
    return pane;
  }

  /** The pane that starts at `start`, created if needed (restore). */
  paneAt(start: number): Pane {
    return this.#byStart.get(start) ?? this.#create(start);
  }

  #create(start: number): Pane {
    const number = Math.floor((start - this.#offset) / this.#size);
    const way = ((number % WAYS) + WAYS) % WAYS;
    const pane = new Pane({ start, end: windowEnd(start, this.#size) }, way, this.#columns());
    this.#byStart.set(start, pane);
    this.#timers.add(pane.maxTs, pane);
    return pane;
  }

  /** The watermark that fires the earliest live pane; Infinity while there is none. */
  get nextDue(): number {
    return this.#timers.size === 0 ? Infinity : this.#timers.peek();
  }

  /**
   * Removes the earliest pane due at `watermark` and returns it, or null if none is due. Fire its
   * results before the next call: the table may then sweep idle keys and reuse their numbers.
   */
  takeDue(watermark: number): Pane | null {
    const timers = this.#timers;
    if (timers.size === 0 || timers.peek() > watermark) {
      this.#maybeSweep();
      return null;
    }
    const pane = timers.pop()[0]!; // one pane per end time
    this.#byStart.delete(pane.window.start);
    if (this.#pane0 === pane) this.#pane0 = null;
    if (this.#pane1 === pane) this.#pane1 = null;
    this.#fired = Math.max(this.#fired, pane.maxTs);
    this.#windows -= pane.keys.length;
    return pane;
  }

  /**
   * Drops the numbers of idle keys (no window in a live pane). Keys keep their number while idle,
   * since a sparse key comes back soon and re-numbering it (table insert, key group hash) costs
   * more; a sweep runs once more than KEYS_KEPT keys are numbered, twice as many as there are
   * windows, so memory stays proportional to the live windows and each sweep's scan is paid for
   * by the keys it drops.
   */
  #maybeSweep(): void {
    const numbered = this.#numbers.size;
    if (numbered <= KEYS_KEPT || numbered <= 2 * this.#windows) return;
    const wayStart = this.#wayStart;
    const last = this.#fired - this.#size + 1; // a way whose start is at or before this has fired
    // Keys with a slot in an overflow table (rare) are live whatever their ways hold.
    const overflowing = new Set<number>();
    for (const pane of this.#byStart.values()) if (pane.overflow !== null) for (const k of pane.overflow.keys()) overflowing.add(k);
    for (const [id, k] of this.#numbers) {
      let live = overflowing.has(k);
      for (let j = k * WAYS; j < k * WAYS + WAYS; j++) if (wayStart[j]! > last) live = true;
      if (live) continue;
      this.#numbers.delete(id);
      for (let j = k * WAYS; j < k * WAYS + WAYS; j++) wayStart[j] = NaN;
      this.#keys[k] = undefined;
      this.#free.push(k);
    }
  }

  /** The live panes in start order (the order they fire in). */
  panes(): Pane[] {
    return [...this.#byStart.values()].sort((a, b) => a.window.start - b.window.start);
  }

  clear(): void {
    this.#byStart.clear();
    this.#timers.clear();
    this.#windows = 0;
    this.#fired = -Infinity;
    this.#pane0 = null;
    this.#pane1 = null;
    this.#numbers.clear();
    this.#free.length = 0;
    this.#keys = [];
    this.#groups = new Int32Array(0);
    this.#wayStart = new Float64Array(0);
    this.#waySlot = new Int32Array(0);
  }
}
