/**
 * `TimestampsAndWatermarksOperator` as rxflink/engine exports it: the event-time entry
 * (timestamps-and-watermarks.ts) with its state export and restore as methods, for code that
 * snapshots an entry it built itself (tests, custom runtimes). `withEventTime` builds the plain
 * entry, whose state the checkpoint runtime's codec (event-time-codec.ts) exports: that code comes
 * with checkpoints, not with every pipeline. The methods into an element array (`processValue`,
 * `processValues`, `endOfBatch`) are here too: `withEventTime` feeds a downstream (`processValueTo`...).
 */
import { restoreEventTime, snapshotEventTime } from './event-time-codec.js';
import type { StreamElement } from '../core/elements.js';
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
  /** Processes one value into `out`. */
  processValue(value: T, out: StreamElement<T>[]): void {
    this.processValueTo(value, this.arrayOf(out));
  }

  /** Processes a batch of values into `out`, then ends the input batch (`endOfBatch`). */
  processValues(values: readonly T[], out: StreamElement<T>[]): void {
    this.processValuesTo(values, this.arrayOf(out));
  }

  /**
   * After an input batch: the periodic emission if the cadence is 'batch' (a watermark only if it
   * rose), then the timer's emission if its period has passed (a synchronous source never lets the
   * timer run).
   */
  endOfBatch(out: StreamElement<T>[]): void {
    this.endOfBatchTo(this.arrayOf(out));
  }

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
