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
   * Optional: takes the records `values[from, to)` at `timestamps[from, to)` at once, each above the
   * watermark when it came; the watermarks they raised come after, as one (their last), which is the
   * same only where watermarks go no further than a fused toValues (src/window/fused-window.ts).
   */
  records?(values: readonly T[], timestamps: Float64Array, from: number, to: number): void;
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
