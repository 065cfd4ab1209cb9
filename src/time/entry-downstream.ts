import type { StreamElement } from '../core/elements.js';

/**
 * Where the entry operator's output goes: an element array (the RxJS operator, tests), or the next
 * operator of a fused chain (src/window/fused-window.ts), which then takes records as value and timestamp without
 * a record object per value, and watermarks as numbers.
 */
export interface EntryDownstream<T> {
  /** Takes one record, as its value and event timestamp (a record with no key). */
  record(value: T, timestamp: number): void;
  /** Takes a watermark, as its timestamp; always above the last one it took. */
  watermark(timestamp: number): void;
  /** Status, control elements, and records behind the watermark forwarded as they are. */
  element(element: StreamElement<T>): void;
  /**
   * Optional, for a bounded strategy's batch: takes `values` from `from` on, each at the timestamp
   * `run.extract` gives it, for as long as that is a safe integer above `run.watermark` whose
   * watermark (`max - run.bound - 1`) is one too, raising `run.max` and `run.watermark` as it goes, as
   * the entry would; returns the index of the first value it did not take (its timestamp in
   * `run.stopTs`), or `values.length`. The run's watermarks come after it, as one (its last), which is
   * the same only where watermarks go no further than a fused toValues (src/window/fused-window.ts):
   * the chain's one loop over a batch, with no array of timestamps between entry and window.
   */
  run?(values: readonly T[], from: number, run: BoundedRun<T>): number;
  /**
   * Optional, for a bounded strategy's single value (`withEventTime`): takes `value` as the entry
   * would, and its watermark if it raises `run.watermark` (a safe integer), and returns true; or
   * returns false having only called `run.extract` (its result in `run.stopTs`), and the entry takes
   * it. The chain's one body per value, where the entry → downstream → next operator calls were too
   * deep for V8 to inline whole (src/window/event-time-window-chain.ts).
   */
  value?(value: T, run: BoundedRun<T>): boolean;
}

/** The state of a bounded strategy that `EntryDownstream.run` reads and advances (timestamps-and-watermarks.ts). */
export interface BoundedRun<T> {
  /** The entry's timestamp option. */
  readonly extract: (value: T) => number;
  /** The out-of-orderness: the watermark is `max - bound - 1`. */
  readonly bound: number;
  /** The highest timestamp so far. */
  max: number;
  /** The entry's watermark, with the run's rises. */
  watermark: number;
  /** What `extract` returned for the value a run stopped at (so that it is not called twice). */
  stopTs: unknown;
}

/** The downstream of the element-array methods: builds the elements into `out`. */
export class ElementArray<T> implements EntryDownstream<T> {
  out: StreamElement<T>[] = [];
  record(value: T, timestamp: number): void {
    this.out.push({ kind: 'record', value, timestamp, key: undefined, keyGroup: -1 });
  }
  watermark(timestamp: number): void {
    this.out.push({ kind: 'watermark', timestamp });
  }
  element(element: StreamElement<T>): void {
    this.out.push(element);
  }
}
