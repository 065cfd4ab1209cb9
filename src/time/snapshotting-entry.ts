/**
 * `TimestampsAndWatermarksOperator` as rxflink/engine exports it: the event-time entry
 * (timestamps-and-watermarks.ts) with its state export and restore as methods, for code that
 * snapshots an entry it built itself (tests, custom runtimes). `withEventTime` builds the plain
 * entry, whose state the checkpoint runtime's codec (event-time-codec.ts) exports: that code comes
 * with checkpoints, not with every pipeline.
 */
import { restoreEventTime, snapshotEventTime } from './event-time-codec.js';
import type { EventTimeEntrySnapshot } from './event-time-options.js';
import { TimestampsAndWatermarksOperator as EventTimeEntry } from './timestamps-and-watermarks.js';

/**
 * The entry of a timed pipeline (Flink's TimestampsAndWatermarksOperator), with `snapshotState` /
 * `restoreState` as methods.
 *
 * @example
 * ```ts
 * // Engine use without RxJS (a custom runtime, a worker loop): feed values, read elements.
 * const entry = new TimestampsAndWatermarksOperator<Click>(
 *   { timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(1_000), uid: 'clicks' },
 *   runtime.processingTime, // a ProcessingTimeService: now() and schedule()
 * );
 * const out: StreamElement<Click>[] = [];
 * entry.processValues(clickLog, out); // records, and a watermark if the period has passed
 * const state = entry.snapshotState(); // { version: 1, watermark, generator }
 * entry.end(out);                   // watermark +infinity
 * entry.dispose();
 * ```
 */
export class TimestampsAndWatermarksOperator<T> extends EventTimeEntry<T> {
  /**
   * Exports the last watermark forwarded, and the generator's state, as plain data (what a
   * checkpoint stores for the entry: event-time-codec.ts).
   */
  snapshotState(): EventTimeEntrySnapshot {
    return snapshotEventTime(this.stateAccess);
  }

  /** Imports what `snapshotState` exported; call it before the first value. */
  restoreState(state: unknown): void {
    restoreEventTime(this.stateAccess, state);
  }
}
