/**
 * Results exactly in arrival order (Flink's OrderedStreamElementQueue): an entry goes out once it
 * and everything before it are done.
 */
import { DONE } from './async-job.js';
import { EntryLog, type AsyncQueue } from './async-queue.js';

/** The ordered queue of an async stage. */
export class OrderedQueue<O> implements AsyncQueue<O> {
  readonly log = new EntryLog<O>();

  pushJob(payload: unknown, size: number): void {
    this.log.pushJob(payload, size);
  }

  pushMarker(element: O): void {
    this.log.pushMarker(element);
  }

  completed(): void {}

  drain(budget: number, out: O[], marker: (element: O) => void): number {
    const log = this.log;
    const queue = log.entries;
    let records = 0;
    while (log.head < queue.length) {
      const entry = queue[log.head]!;
      if (entry.state !== DONE || (!entry.marker && records >= budget)) break;
      const output = entry.output!;
      for (let i = 0; i < output.length; i++) out.push(output[i]!);
      if (entry.marker) marker(output[0]!);
      records += entry.size;
      entry.output = undefined;
      entry.payload = undefined;
      log.head++;
    }
    log.compact();
    return records;
  }
}
