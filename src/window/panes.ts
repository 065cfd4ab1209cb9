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
 * Each pane finds its keys' slots in a Map of its own, as the hand-written loops of
 * bench/pipeline-baselines.ts and bench/window-bench.ts do: one lookup per record in a table of the
 * keys of one window (small, so it stays in cache, where one table of every key with arrays by key
 * number measured 15-25% slower), and nothing kept per key once its windows have fired.
 */
import { warmCode } from '../core/warm-code.js';
import { windowEnd, windowStart, type TimeWindow } from './windows.js';

/** The windows of all keys that start at `window.start`: keys and accumulators side by side, by slot. */
export class Pane<Id = unknown> {
  /** The slot of each key, by key id. */
  readonly slots = new Map<Id, number>();
  /** How many slots (keys) the pane has: `keys` may be longer, a fired pane's array reused (`PaneTable.recycle`). */
  length = 0;
  /**
   * The key group of each slot, as keyBy attached it (pane-path.ts stores them); empty where the
   * operator keys records itself (a fused keyBy), which computes a key group only where needed.
   */
  readonly groups: number[] = [];
  /** The accumulator of each slot; empty where the table keeps them in `columns`. */
  readonly accs: unknown[] = [];
  /** Slots below this were in the last checkpoint's export; those at or above it are new since (window-rows.ts). */
  exported = 0;
  /** 1 for each exported slot updated since that export (a store per record: no lookup). */
  dirty = new Uint8Array(0);
  /**
   * How many times each slot's window fired so far (early, fire-early.ts; on time, then late): the
   * index of its next pane. Empty while none fired, so the on-time firing keeps `ON_TIME_ONLY_PANE`.
   */
  readonly fired: number[] = [];
  /** The timestamp of the pane's results and the watermark that fires it: `end - 1`. */
  declare readonly maxTs: number;
  // Declared (`declare`) where the constructor sets them: no class field is emitted that it then overwrites.
  declare readonly window: TimeWindow;
  /** The built-in aggregates' accumulators, a number column each, by slot (aggregate-columns.ts); else empty. */
  declare readonly columns: number[][];
  /** The key of each slot, below `length`; what is above it is a fired pane's, never read. */
  declare readonly keys: unknown[];

  constructor(window: TimeWindow, columns: number[][], keys: unknown[] = []) {
    this.window = window;
    this.columns = columns;
    this.keys = keys;
    this.maxTs = window.end - 1;
  }
}

/** The live panes of a tumbling window operator, by start, and the order they fire in. */
export class PaneTable<Id> {
  readonly #size: number;
  readonly #offset: number;
  readonly #byStart = new Map<number, Pane<Id>>();
  /**
   * The live panes in firing order (by end). A pane is the table layout of its
   * keys' timers: each key with a window in it has the event-time timer at the pane's `maxTs` (the
   * trigger's and the cleanup timer at once, lateness being 0), so the table keeps one entry per
   * pane instead of one timer per key in the timer service.
   */
  readonly #due: Pane<Id>[] = [];
  /** Windows in the live panes, over all keys. */
  #windows = 0;
  // The last two panes used: most records fall into one of them, which saves a floating-point modulo
  // (slow for millisecond timestamps, which exceed 32 bits) and a table lookup per record.
  #pane0: Pane<Id> | null = null;
  #pane1: Pane<Id> | null = null;
  /** Creates each pane's accumulator columns (AggregateColumns.create), or none. */
  readonly #columns: () => number[][];
  /**
   * A fired pane's columns and keys array, for the next pane (`recycle`); null if none. Not the
   * pane itself, whose `slots` Map (a key each) would then stay reachable until the next pane.
   */
  #spareColumns: number[][] | null = null;
  #spareKeys: unknown[] | undefined = undefined;
  /** Whether this table's first pane left a blank one in warm-code.ts (see `#create`). */
  #pinned = false;

  constructor(size: number, offset: number, columns: () => number[][] = () => []) {
    this.#size = size;
    this.#offset = offset;
    this.#columns = columns;
  }

  /**
   * Adds the window of a key in `pane`, which the key has none in yet, and returns its slot: the
   * next one, `pane.length` before the call. The caller stores the accumulator (`pane.accs`
   * or `pane.columns`) and the key group if it has one.
   */
  addSlot(id: Id, key: unknown, pane: Pane<Id>): number {
    const slot = pane.length++;
    pane.slots.set(id, slot);
    // A store rather than push(): TurboFan inlines it, push() stayed a builtin call here; in a
    // reused array (`recycle`) it mostly stores within its length, growing nothing.
    pane.keys[slot] = key;
    this.#windows++;
    return slot;
  }

  get windowCount(): number {
    return this.#windows;
  }

  /** The pane of the window that holds `timestamp`, created if needed; null if it is late (already fired). */
  paneFor(timestamp: number, watermark: number): Pane<Id> | null {
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
  paneAt(start: number): Pane<Id> {
    return this.#byStart.get(start) ?? this.#create(start);
  }

  /**
   * Takes the columns and keys array of `pane`, fired and read: the next pane starts on them and
   * does not grow its own (each slot is written by its first value before it is read, so what a
   * slot above the new pane's `length` holds is never read; until overwritten, it keeps at most one
   * pane's keys reachable). Sparse batches allocate about a fifth less for the columns, and 15%
   * less (50 MB a pass) for the keys. Its `slots` Map is not reused: V8's `Map.clear()` drops the
   * table's capacity, so a cleared Map grows again as a new one does. The cost is memory: the next
   * pane holds arrays of a full pane's capacity from its first key (the pipeline bench's live data,
   * 10,000 keys: 10 KB in batches, 22 KB one value at a time); without it, the warm pass of sparse
   * batches took 1.14× the CPU time (medians of 5 fresh processes alternated, load 1.3-5).
   */
  recycle(pane: Pane<Id>): void {
    this.#spareColumns = pane.columns;
    this.#spareKeys = pane.keys;
  }

  #create(start: number): Pane<Id> {
    const pane = new Pane<Id>(
      { start, end: windowEnd(start, this.#size) },
      this.#spareColumns ?? this.#columns(),
      this.#spareKeys,
    );
    this.#spareColumns = null;
    this.#spareKeys = undefined;
    if (!this.#pinned) {
      // Every pane dies when its window fires; a blank one keeps the map of a pane with all its
      // fields, which the table's compiled methods hold (core/warm-code.ts). Made from a real pane's
      // window, so its fields have the same representations (a `maxTs` above 31 bits is a double).
      this.#pinned = true;
      warmCode.pane = new Pane<Id>(pane.window, []);
    }
    return this.insert(pane);
  }

  /**
   * Adds `pane`, its slots counted: a new one, or a fired pane kept for late records (pane-path.ts
   * keeps them in a second table, which compares `maxTs` with the watermark less the lateness).
   */
  insert(pane: Pane<Id>): Pane<Id> {
    this.#byStart.set(pane.window.start, pane);
    this.#windows += pane.length;
    // Panes are mostly created in time order: then this is a push.
    const due = this.#due;
    let i = due.length;
    while (i > 0 && due[i - 1]!.maxTs > pane.maxTs) i--;
    due.splice(i, 0, pane);
    return pane;
  }

  /** The watermark that fires the earliest live pane; Infinity while there is none. */
  get nextDue(): number {
    return this.#due.length > 0 ? this.#due[0]!.maxTs : Infinity;
  }

  /** Removes the earliest pane due at `watermark` and returns it, or null if none is due. */
  takeDue(watermark: number): Pane<Id> | null {
    const due = this.#due;
    if (due.length === 0 || due[0]!.maxTs > watermark) return null;
    // (A handful of panes is live at a time: shifting them is cheaper than a heap, and keeps no
    // fired pane, with its keys and accumulators, reachable.)
    const pane = due.shift()!;
    this.#byStart.delete(pane.window.start);
    if (this.#pane0 === pane) this.#pane0 = null;
    if (this.#pane1 === pane) this.#pane1 = null;
    this.#windows -= pane.length;
    return pane;
  }

  /** The live panes in start order (the order they fire in). */
  panes(): Pane<Id>[] {
    return [...this.#byStart.values()].sort((a, b) => a.window.start - b.window.start);
  }

  clear(): void {
    // The spare arrays go too: a pipeline kept for its compiled code (core/warm-code.ts) keeps no keys.
    this.#spareColumns = null;
    this.#spareKeys = undefined;
    this.#byStart.clear();
    this.#due.length = 0;
    this.#windows = 0;
    this.#pane0 = null;
    this.#pane1 = null;
  }
}
