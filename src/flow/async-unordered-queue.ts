/**
 * Results as soon as their job completes, but never across a marker: everything before a marker is
 * emitted before it, everything after it after it. Flink's UnorderedStreamElementQueue segments by
 * watermark; here every non-record element is a segment boundary, so barriers keep their place too.
 */
import { DONE, type AsyncEntry } from './async-job.js';
import { EntryLog, type AsyncQueue } from './async-queue.js';

/** The unordered queue of an async stage. Each entry is visited O(1) times. */
export class UnorderedQueue<O> implements AsyncQueue<O> {
  readonly log = new EntryLog<O>();
  /** Markers not yet emitted (arrival numbers), from `#markerHead` on. */
  #markers: number[] = [];
  #markerHead = 0;
  /** Completed jobs of the first segment not yet emitted, from `#readyHead` on. */
  #ready: AsyncEntry<O>[] = [];
  #readyHead = 0;
  /** Jobs of the first segment not yet emitted. */
  #pendingFirst = 0;

  pushJob(payload: unknown, size: number): void {
    this.log.pushJob(payload, size);
    if (this.#markerHead === this.#markers.length) this.#pendingFirst++;
  }

  pushMarker(element: O): void {
    this.#markers.push(this.log.pushMarker(element).seq);
  }

  /** A job of the first segment may go out at once. */
  completed(entry: AsyncEntry<O>): void {
    if (this.#markerHead === this.#markers.length || entry.seq < this.#markers[this.#markerHead]!)
      this.#ready.push(entry);
  }

  drain(budget: number, out: O[], marker: (element: O) => void): number {
    // Completed jobs of the first segment go out now; a marker goes out once every job before it
    // has; then the segment after it is the first.
    const log = this.log;
    const queue = log.entries;
    const markers = this.#markers;
    const ready = this.#ready;
    let records = 0;
    for (;;) {
      while (this.#readyHead < ready.length && records < budget) {
        const entry = ready[this.#readyHead++]!;
        const output = entry.output!;
        for (let k = 0; k < output.length; k++) out.push(output[k]!);
        records += entry.size;
        entry.output = undefined;
        entry.payload = undefined;
        entry.emitted = true;
        this.#pendingFirst--;
      }
      if (this.#readyHead < ready.length) break;
      ready.length = 0;
      this.#readyHead = 0;
      if (this.#pendingFirst > 0 || this.#markerHead === markers.length) break;
      const markerSeq = markers[this.#markerHead++]!;
      const entry = queue[markerSeq - log.seqBase]!;
      out.push(entry.output![0]!);
      marker(entry.output![0]!);
      entry.output = undefined;
      entry.emitted = true;
      const end = this.#markerHead < markers.length ? markers[this.#markerHead]! : log.seq;
      for (let seq = markerSeq + 1; seq < end; seq++) {
        const next = queue[seq - log.seqBase]!;
        this.#pendingFirst++;
        if (next.state === DONE) ready.push(next);
      }
    }
    if (this.#markerHead > 1024 && this.#markerHead * 2 >= markers.length) {
      this.#markers = markers.slice(this.#markerHead);
      this.#markerHead = 0;
    }
    while (log.head < queue.length && queue[log.head]!.emitted) log.head++;
    log.compact();
    return records;
  }
}
