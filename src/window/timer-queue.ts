/**
 * The window operator's own timer queue: a binary min-heap of distinct timer times, each with a
 * bucket of the entries due at that time. Many keys' windows end at the same time (tumbling
 * windows), so a watermark pops one time and walks its bucket: no sorted array is rescanned, and
 * the cost per watermark is O(timers due + log distinct times). Deletion is lazy: the caller checks,
 * when a bucket entry comes due, that the entry still holds that timer.
 */
export class TimerQueue<E> {
  readonly #heap: number[] = [];
  readonly #buckets = new Map<number, E[]>();
  // The bucket used last: windows created together mostly share their end time.
  #lastTime = NaN;
  #lastBucket: E[] | null = null;

  /** Adds `entry` to the bucket of `time`. The caller deduplicates per (entry, time). */
  add(time: number, entry: E): void {
    if (time === this.#lastTime) {
      this.#lastBucket!.push(entry);
      return;
    }
    let bucket = this.#buckets.get(time);
    if (bucket === undefined) {
      bucket = [entry];
      this.#buckets.set(time, bucket);
      this.#push(time);
    } else {
      bucket.push(entry);
    }
    this.#lastTime = time;
    this.#lastBucket = bucket;
  }

  /** The earliest time with a bucket, or +Infinity when the queue is empty. */
  peek(): number {
    return this.#heap.length > 0 ? this.#heap[0]! : Infinity;
  }

  /** Removes and returns the bucket of the earliest time (call `peek` first for the time). */
  pop(): E[] {
    const time = this.#pop();
    const bucket = this.#buckets.get(time)!;
    this.#buckets.delete(time);
    if (time === this.#lastTime) {
      this.#lastTime = NaN;
      this.#lastBucket = null;
    }
    return bucket;
  }

  get size(): number {
    return this.#heap.length;
  }

  clear(): void {
    this.#heap.length = 0;
    this.#buckets.clear();
    this.#lastTime = NaN;
    this.#lastBucket = null;
  }

  #push(time: number): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(time);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p <= time) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = time;
  }

  #pop(): number {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && heap[r]! < heap[l]! ? r : l;
        if (heap[c]! >= last) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
