/**
 * The contract of a watermark generator (Flink's `WatermarkGenerator` and `WatermarkOutput`): what
 * a strategy creates per subscription, and where it sends its watermarks.
 */
/**
 * Where a watermark generator sends what it decides: a watermark, or that its input is idle or
 * active again. Mirrors Flink's `WatermarkOutput`.
 */
export interface WatermarkOutput {
  /** Proposes watermark `timestamp`; only watermarks greater than the last one are forwarded. */
  emitWatermark(timestamp: number): void;
  /** Marks the input idle: it stops holding back the watermark of a merge. */
  markIdle(): void;
  /** Marks the input active again. */
  markActive(): void;
}

/**
 * Decides watermarks from the records seen (`onEvent`) and periodically (`onPeriodicEmit`, every
 * `period` ms of processing time), like Flink's `WatermarkGenerator`.
 */
export interface WatermarkGenerator<T> {
  /**
   * Called for each record with a valid timestamp (late ones too), right after the record went
   * downstream: a punctuated generator emits its watermark here, a periodic one remembers the
   * highest timestamp. An error it throws fails the stream.
   */
  onEvent(value: T, timestamp: number, output: WatermarkOutput): void;
  /**
   * Called at the strategy's cadence: every `period` ms of processing time (Flink's
   * auto-watermark interval), or after every event or every input batch. Emits the watermark
   * that the records seen so far allow; only one above the last goes downstream.
   */
  onPeriodicEmit(output: WatermarkOutput): void;
  /**
   * The generator's state as plain data (the built-ins: the highest timestamp seen), stored with
   * the entry operator's state at each checkpoint. Optional: without it a restored generator starts
   * from nothing, as in Flink (see docs/checkpoints.md).
   */
  snapshotState?(): unknown;
  /** Takes back what `snapshotState` exported; throws on anything else. */
  restoreState?(state: unknown): void;
}
