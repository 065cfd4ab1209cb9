/**
 * The window operator's table for its most common configuration: tumbling event-time windows with
 * the default trigger, an incremental function (aggregate or reduce, no process function), no
 * evictor and no allowed lateness. There every key's window of one start fires at the same
 * watermark and is dropped right after, so instead of one state object, accumulator holder and
 * timer per key and window, the table keeps one pane per window start: the keys with data in that
 * window, in the order their window was created, and their accumulators side by side. A pane is
 * created with one timer and dropped whole when it fires (the hand-written loop of bench/window-bench
 * works alike). Flink keeps a timer per key and window; the observable results are the same: a pane
 * fires its keys in the order their timers were registered, and panes fire in time order.
 */
import { TimerQueue } from './timer-queue.js';
import { windowStart, type TimeWindow } from './windows.js';

/** The windows of all keys that start at `window.start`. */
export class Pane<Id> {
  /** Slot of each key id: keys, groups and accs at that index belong to it. */
  readonly index = new Map<Id, number>();
  readonly keys: unknown[] = [];
  readonly groups: number[] = [];
  readonly accs: unknown[] = [];
  /** The timestamp of the pane's results and the watermark that fires it: `end - 1`. */
  readonly maxTs: number;

  constructor(readonly window: TimeWindow) {
    this.maxTs = window.end - 1;
  }

  /** Adds the window of a key that has none in this pane yet. */
  add(id: Id, key: unknown, keyGroup: number, acc: unknown): void {
    this.index.set(id, this.accs.length);
    this.keys.push(key);
    this.groups.push(keyGroup);
    this.accs.push(acc);
  }
}

/** The live panes of a tumbling window operator, by start, and the order they fire in. */
export class PaneTable<Id> {
  readonly #size: number;
  readonly #offset: number;
  readonly #byStart = new Map<number, Pane<Id>>();
  readonly #timers = new TimerQueue<Pane<Id>>();
  // The last two panes used: most records fall into one of them, which saves a floating-point modulo
  // (slow for millisecond timestamps, which exceed 32 bits) and a table lookup per record.
  #pane0: Pane<Id> | null = null;
  #pane1: Pane<Id> | null = null;

  constructor(size: number, offset: number) {
    this.#size = size;
    this.#offset = offset;
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

  #create(start: number): Pane<Id> {
    const pane = new Pane<Id>({ start, end: start + this.#size });
    this.#byStart.set(start, pane);
    this.#timers.add(pane.maxTs, pane);
    return pane;
  }

  /** Removes and returns the earliest pane due at `watermark`, or null if none is. */
  takeDue(watermark: number): Pane<Id> | null {
    const timers = this.#timers;
    if (timers.size === 0 || timers.peek() > watermark) return null;
    const pane = timers.pop()[0]!; // one pane per end time
    this.#byStart.delete(pane.window.start);
    if (this.#pane0 === pane) this.#pane0 = null;
    if (this.#pane1 === pane) this.#pane1 = null;
    return pane;
  }

  /** The live panes in start order (the order they fire in). */
  panes(): Pane<Id>[] {
    return [...this.#byStart.values()].sort((a, b) => a.window.start - b.window.start);
  }

  clear(): void {
    this.#byStart.clear();
    this.#timers.clear();
    this.#pane0 = null;
    this.#pane1 = null;
  }
}
