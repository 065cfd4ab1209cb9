/**
 * The metrics model as plain data (docs/monitoring.md): what a snapshot of a running pipeline holds.
 * Every field is a number, a string, a boolean, null or an array/object of those, so that a
 * snapshot can be posted to a worker, stored, or rendered by a devtools panel as it is. Names
 * follow Flink's metrics where Flink has one.
 */

/** What an operator of the job graph is. */
export type OperatorKind = 'source' | 'operator' | 'chain' | 'async' | 'sink';

/**
 * Whether an operator still runs: `finished` once every subscription that passed it ended (it stays
 * in the graph with its final counts until its source subscribes again), as Flink's Web UI shows a
 * vertex RUNNING or FINISHED.
 */
export type OperatorStatus = 'running' | 'finished';

/** One operator of the job graph, with its metrics at the time of the snapshot. */
export interface OperatorMetrics {
  /** Unique within the job: the operator's uid when it has one, else its name and a number. */
  readonly id: string;
  readonly name: string;
  readonly kind: OperatorKind;
  readonly uid: string | null;
  /** `finished` once every subscription that passed the operator ended. */
  readonly status: OperatorStatus;
  /** Records received since the operator subscribed (Flink's `numRecordsIn`). */
  readonly numRecordsIn: number;
  /** Records emitted since the operator subscribed (Flink's `numRecordsOut`). */
  readonly numRecordsOut: number;
  /** Records received per second of processing time, over the last sampling interval. */
  readonly numRecordsInPerSecond: number;
  readonly numRecordsOutPerSecond: number;
  /** The last watermark that reached the operator (null before the first). */
  readonly currentInputWatermark: number | null;
  /** The last watermark the operator emitted (null before the first). */
  readonly currentOutputWatermark: number | null;
  /** Processing time minus the input watermark, in ms (null without a watermark). */
  readonly watermarkLagMs: number | null;
  /** Late records the operator dropped (Flink's `numLateRecordsDropped`). */
  readonly numLateRecordsDropped: number;
  /** Late records sent to the late side output. */
  readonly numLateRecordsToSideOutput: number;
  /** Milliseconds per second spent inside the operator's batch processing (Flink's `busyTimeMsPerSecond`). */
  readonly busyTimeMsPerSecond: number;
  /** Milliseconds per second waiting for records: 1000 − busy − backpressured. */
  readonly idleTimeMsPerSecond: number;
  /** Milliseconds per second waiting for demand from downstream (sources and async stages). */
  readonly backPressuredTimeMsPerSecond: number;
  /** The size of the operator's state; null for an operator without state. */
  readonly state: StateSize | null;
  /**
   * The parallel subtasks of an operator that runs in several (`parallel`), each named as Flink shows
   * a subtask, `name (i/n)` from 1, with its own records, watermarks and time back-pressured (waiting
   * for channel credits); absent for an operator of one thread.
   */
  readonly subtasks?: readonly OperatorMetrics[];
}

/** The size of an operator's state, read when sampled. */
export interface StateSize {
  readonly keys: number;
  readonly windows: number;
  readonly timers: number;
  /** A rough estimate (fixed cost per key, window and timer), to compare operators, not to bill. */
  readonly approximateBytes: number;
}

/** An edge of the job graph: records flow from `from` to `to` (two edges into one operator: a merge). */
export interface JobEdge {
  readonly from: string;
  readonly to: string;
}

/** The status of a checkpoint, as Flink's checkpoint history shows it. */
export type CheckpointStatus = 'in_progress' | 'completed' | 'failed';

/** One checkpoint of the history (Flink keeps the last 10; so does this model). */
export interface CheckpointMetrics {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly status: CheckpointStatus;
  /** Processing time of the trigger. */
  readonly triggerTime: number;
  /** From the trigger to the stored snapshot, in ms (null while in progress). */
  readonly durationMs: number | null;
  /**
   * From the moment every source had sent its barrier to the moment no stage held it any more, in
   * ms: how long merges and async stages kept the checkpoint waiting (null until then).
   */
  readonly alignmentMs: number | null;
  /** How long the backend took to store the snapshot, in ms (null until stored). */
  readonly backendWriteMs: number | null;
  /** Bytes stored (null until stored). */
  readonly bytes: number | null;
  /** Whether only the changes since the previous checkpoint were stored. */
  readonly incremental: boolean;
  /** Why it failed, for a failed checkpoint. */
  readonly failure: string | null;
}

/** An error that ended (or failed a checkpoint of) the pipeline, with the operator it came from. */
export interface ExceptionRecord {
  /** Processing time when it was reported. */
  readonly time: number;
  /** The id of the operator it came from; null when it came from outside the operators (a backend). */
  readonly operator: string | null;
  readonly name: string;
  readonly message: string;
}

/** What `PipelineMetrics.snapshot()` returns and its Observable emits. */
export interface MetricsSnapshot {
  readonly job: string;
  /** Processing time of the snapshot, from the injected scheduler. */
  readonly time: number;
  /** Operators in the order they subscribed (upstream first along every path). */
  readonly operators: readonly OperatorMetrics[];
  readonly edges: readonly JobEdge[];
  /** Totals and the last 10 checkpoints, oldest first. */
  readonly checkpoints: {
    readonly completed: number;
    readonly failed: number;
    readonly inProgress: number;
    readonly history: readonly CheckpointMetrics[];
  };
  /** The last 10 exceptions, oldest first. */
  readonly exceptions: readonly ExceptionRecord[];
}
