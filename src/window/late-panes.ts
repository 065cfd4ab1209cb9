/**
 * The panes of the pane table (pane-path.ts) after they fired on time, kept while their windows
 * accept late records: Flink's WindowOperator keeps a window's state until its cleanup time,
 * `maxTimestamp + allowedLateness`, and a record within that fires the window again at once (a LATE
 * pane). A window that had no record before its end is created here by its first late record. Each
 * late pane holds one cleanup timer per key (the table layout of Flink's cleanup timers).
 */
import type { WindowSetup } from './config.js';
import { Pane } from './panes.js';
import { windowEnd, windowStart, type TimeWindow } from './windows.js';

/** What late panes read of the operator's setup (config.ts). */
type LateSetup = Pick<WindowSetup<unknown, unknown, unknown>, 'size' | 'offset' | 'watermark' | 'cleanupTime'>;

/** A pane past its window's end. */
export interface LatePane<Id> {
  readonly pane: Pane<Id>;
  /** When the pane is dropped: `maxTs + allowedLateness`, saturating (Infinity: at the end of event time). */
  readonly cleanup: number;
  /** How many panes each slot's window has fired: the index of its next firing (absent: 0). */
  readonly fired: number[];
}

/** The late panes of one window operator, by start, and the order they are dropped in. */
export class LatePanes<Id> {
  readonly #byStart = new Map<number, LatePane<Id>>();
  /** By cleanup time, earliest first (mostly appended: panes fire in time order). */
  readonly #due: LatePane<Id>[] = [];
  #windows = 0;
  /** The operator's size, alignment, cleanup time and watermark. */
  readonly #setup: LateSetup;
  /** Creates each pane's accumulator columns (AggregateColumns.create), or none. */
  readonly #columns: () => number[][];

  constructor(setup: LateSetup, columns: () => number[][] = () => []) {
    this.#setup = setup;
    this.#columns = columns;
  }

  /**
   * The late pane of the window that holds `timestamp`, created for a window that had no record
   * before its end; null if the window was cleaned up, or would be at once (Flink's isWindowLate):
   * the record is then late data.
   */
  paneFor(timestamp: number): LatePane<Id> | null {
    const { size, offset } = this.#setup;
    const start = windowStart(timestamp, offset, size);
    const kept = this.#byStart.get(start);
    if (kept !== undefined) return kept;
    const end = windowEnd(start, size);
    const cleanup = this.#setup.cleanupTime(end - 1);
    return cleanup > this.#setup.watermark ? this.create({ start, end }, cleanup) : null;
  }

  /** The late pane of the window that starts at `start`, created if needed (restore). */
  paneAt(start: number): LatePane<Id> {
    const end = windowEnd(start, this.#setup.size);
    return this.#byStart.get(start) ?? this.create({ start, end }, this.#setup.cleanupTime(end - 1));
  }

  /** The late pane of the window that starts at `start`, if it is kept. */
  get(start: number): LatePane<Id> | undefined {
    return this.#byStart.get(start);
  }

  /** Keeps `pane` (fired on time, or new for a late record) until `cleanup`. */
  add(pane: Pane<Id>, cleanup: number, fired: number[]): LatePane<Id> {
    const late: LatePane<Id> = { pane, cleanup, fired };
    this.#byStart.set(pane.window.start, late);
    const due = this.#due;
    let i = due.length;
    while (i > 0 && due[i - 1]!.cleanup > cleanup) i--;
    due.splice(i, 0, late);
    this.#windows += pane.keys.length;
    return late;
  }

  /** A new pane for the window `window`, kept until `cleanup`. */
  create(window: TimeWindow, cleanup: number): LatePane<Id> {
    return this.add(new Pane<Id>(window, this.#columns()), cleanup, []);
  }

  /** Adds a key's window to a late pane (as PaneTable.addSlot) and returns its slot. */
  addSlot(id: Id, key: unknown, pane: Pane<Id>): number {
    const slot = pane.keys.length;
    pane.slots.set(id, slot);
    pane.keys[slot] = key;
    this.#windows++;
    return slot;
  }

  /** The watermark that drops the earliest late pane; Infinity while there is none. */
  get nextDue(): number {
    return this.#due.length > 0 ? this.#due[0]!.cleanup : Infinity;
  }

  /** Removes the earliest late pane whose cleanup time `watermark` reached, or returns null. */
  takeDue(watermark: number): LatePane<Id> | null {
    const due = this.#due;
    if (due.length === 0 || due[0]!.cleanup > watermark) return null;
    const late = due.shift()!;
    this.#byStart.delete(late.pane.window.start);
    this.#windows -= late.pane.keys.length;
    return late;
  }

  /** The late panes in start order. */
  panes(): LatePane<Id>[] {
    return [...this.#byStart.values()].sort((a, b) => a.pane.window.start - b.pane.window.start);
  }

  /** Windows in the late panes, over all keys. */
  get windowCount(): number {
    return this.#windows;
  }

  /** Cleanup timers: one per window, none for windows kept until the end of event time. */
  get timerCount(): number {
    let n = 0;
    for (const late of this.#due) if (late.cleanup !== Infinity) n += late.pane.keys.length;
    return n;
  }

  /** The timers of the table's panes `panes`: each window's at its end, and its cleanup timer unless that saturates. */
  onTimeTimers(panes: Pane<Id>[]): number {
    let n = 0;
    for (const pane of panes) n += pane.keys.length * (this.#setup.cleanupTime(pane.maxTs) === Infinity ? 1 : 2);
    return n;
  }

  clear(): void {
    this.#byStart.clear();
    this.#due.length = 0;
    this.#windows = 0;
  }
}
