/**
 * The queue of an async stage: entries (jobs and markers) in arrival order, started in that order,
 * emitted ordered or unordered (./async-ordered-queue.ts, ./async-unordered-queue.ts).
 */
import { DONE, WAITING, type AsyncEntry } from './async-job.js';

/** What the stage asks of its queue, whichever order it emits in. */
export interface AsyncQueue<O> {
  /** The entries in arrival order: which job starts next, whether all were emitted, cancelling. */
  readonly log: EntryLog<O>;
  /** Queues a job holding `size` records. */
  pushJob(payload: unknown, size: number): void;
  /** Queues an element that keeps its place among the jobs. */
  pushMarker(element: O): void;
  /** Tells the queue that the job of `entry` has its output. */
  completed(entry: AsyncEntry<O>): void;
  /**
   * Moves into `out` what may go out now, at most `budget` records of jobs (markers do not count);
   * calls `marker` with each marker moved. Returns the records moved.
   */
  drain(budget: number, out: O[], marker: (element: O) => void): number;
}

/** The entries of a queue, with emitted ones dropped from the front in amortized O(1) per entry. */
export class EntryLog<O> {
  // Plain fields, read by the queues on every element (their drain loops).
  entries: AsyncEntry<O>[] = [];
  /** Index of the first entry not emitted (ordered) or not known to be emitted (unordered). */
  head = 0;
  /** Arrival number of `entries[0]`, and of the next entry. */
  seqBase = 0;
  seq = 0;
  /** Index of the next entry to start (entries start in arrival order). */
  #next = 0;

  pushJob(payload: unknown, size: number): AsyncEntry<O> {
    const entry: AsyncEntry<O> = {
      seq: this.seq++,
      size,
      marker: false,
      payload,
      state: WAITING,
      output: undefined,
      emitted: false,
      cancel: undefined,
    };
    this.entries.push(entry);
    return entry;
  }

  pushMarker(element: O): AsyncEntry<O> {
    const entry: AsyncEntry<O> = {
      seq: this.seq++,
      size: 0,
      marker: true,
      payload: undefined,
      state: DONE,
      output: [element],
      emitted: false,
      cancel: undefined,
    };
    this.entries.push(entry);
    return entry;
  }

  /** The next job to start, in arrival order, or undefined when every job has started. */
  nextJob(): AsyncEntry<O> | undefined {
    const entries = this.entries;
    if (this.#next < this.head) this.#next = this.head;
    while (this.#next < entries.length) {
      const entry = entries[this.#next++]!;
      if (!entry.marker) return entry;
    }
    return undefined;
  }

  /** Drops emitted entries from the front once they are half the array. */
  compact(): void {
    if (this.head >= 32 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.#next = Math.max(0, this.#next - this.head);
      this.seqBase += this.head;
      this.head = 0;
    }
  }

  /** Whether every entry was emitted. */
  get isEmpty(): boolean {
    return this.head === this.entries.length;
  }

  /** Cancels every job not yet emitted. */
  cancelAll(): void {
    for (let i = this.head; i < this.entries.length; i++) this.entries[i]!.cancel?.();
  }
}
