/**
 * The engine's operator, in the spirit of Flink's StreamOperator (docs/architecture.md §0): a plain object that
 * processes records, watermarks, status and control elements, pushes what it produces onto `out`,
 * and can export and import its state. It knows nothing of RxJS.
 */

import type {
  CheckpointBarrier,
  ControlElement,
  StreamBatch,
  StreamElement,
  StreamRecord,
  StreamStatus,
  Watermark,
} from './elements.js';
import type { OperatorStateSnapshot, RestoreCheckpointOptions } from './state-snapshot.js';
import {
  codecsFor,
  hasState,
  linkToPipeline,
  PIPELINE_CONTROL,
  RESTORE_CONTROL,
  type PendingCheckpoint,
  type PipelineLink,
  type RestoreSource,
} from './checkpointing.js';
import type { ProcessingTimeService } from './time.js';

/** What an operator produces into: elements pushed here travel downstream, in order. */
export type Output<O, KO = undefined> = StreamElement<O, KO>[];

/** What the runtime gives an operator when it is created for a subscription. */
export interface OperatorRuntime {
  /** Processing time and timers, from the injected scheduler. */
  readonly processingTime: ProcessingTimeService;
}

/**
 * A stream operator. Only `processRecord` is required: an operator that leaves out one of the other
 * methods forwards those elements untouched, in place.
 */
export interface StreamOperator<I, KI, O, KO> {
  /**
   * The stable id the operator's state is stored under in checkpoints and savepoints (docs/architecture.md §4).
   * An operator that exports state (`snapshotState`) needs one when the pipeline is checkpointed.
   */
  readonly uid?: string | undefined;
  /**
   * The operator's name in monitoring (the job graph, metrics): a string, so that it survives a
   * minifier, which renames classes. Without it, the class name is used.
   */
  readonly operatorName?: string;
  /** The operator's current event time, recorded with its state in checkpoints (`Snapshot.watermarks`). */
  readonly currentWatermark?: number;
  /**
   * Processes one record: pushes what it produces (nothing, one or many elements) onto `out`, in
   * order. An error it throws fails the stream.
   */
  processRecord(record: StreamRecord<I, KI>, out: Output<O, KO>): void;
  /**
   * Processes a whole batch, instead of `processBatch` dispatching element by element. A hot
   * operator implements it as a loop of its own (`processElement(this, e, out)` for what is not a
   * record), so that its `processRecord` is called from one call site that sees one operator type.
   */
  processBatch?(batch: StreamBatch<I, KI>, out: Output<O, KO>): void;
  /**
   * Handles a watermark. An operator that implements this must forward the watermark itself, after
   * the output the watermark caused (results before the watermark that fired them).
   */
  processWatermark?(watermark: Watermark, out: Output<O, KO>): void;
  /**
   * Handles an idle or active status (Flink's WatermarkStatus). An operator that implements this
   * must forward the status itself if it should travel further.
   */
  processStatus?(status: StreamStatus, out: Output<O, KO>): void;
  /**
   * Handles a checkpoint barrier, after the operator's state was reported to the barrier's
   * checkpoint (`snapshotCheckpoint` or `snapshotState`). An operator that implements this must
   * forward the barrier itself, between the output that comes before the checkpoint and the output after.
   */
  processBarrier?(barrier: CheckpointBarrier, out: Output<O, KO>): void;
  /**
   * Handles a control element (a restore marker, a pipeline link), after a restore marker gave the
   * operator its state (`restoreCheckpoint` or `restoreState`). An operator that implements this
   * must forward the element itself, so that the operators downstream see it too.
   */
  processControl?(control: ControlElement, out: Output<O, KO>): void;
  /** Exports the operator's whole state as plain, serializable data. */
  snapshotState?(): unknown;
  /** Imports state produced by `snapshotState`, replacing the current state. */
  restoreState?(state: unknown): void;
  /**
   * The version of the layout of the exported state (default 0). Stored with every checkpoint, so
   * that a changed operator can refuse or migrate state written by an older one.
   */
  readonly stateVersion?: number;
  /**
   * The state for a checkpoint, when it differs from `snapshotState()` wrapped as `{ state }`: an
   * operator with keyed tables reports them as columns, and (when `checkpoint.incremental`) only the
   * keys changed since the previous call; a sink registers what to commit once the checkpoint is
   * stored. Paired with `restoreCheckpoint`, which receives keyed tables in full.
   */
  snapshotCheckpoint?(checkpoint: PendingCheckpoint): OperatorStateSnapshot;
  /**
   * Imports the state stored under the operator's uid, as `snapshotCheckpoint` reported it (keyed
   * tables in full), replacing the current state; called when the restore marker reaches the
   * operator, before any record of the restored run. Throws a typed error (`StateRestoreError`)
   * for state it cannot read. Without it, `restoreState` receives the snapshot's `state`.
   * `options.keyGroups`, when set, is the range of key groups this instance takes: a keyed
   * operator restores only the keys of those groups (docs/checkpoints.md §10).
   */
  restoreCheckpoint?(snapshot: OperatorStateSnapshot, options?: RestoreCheckpointOptions): void;
  /** Releases timers and resources when the subscription ends, completed or not. */
  dispose?(): void;
}

/** Runs one batch through an operator, dispatching each element to the method for its kind. */
export function processBatch<I, KI, O, KO>(
  operator: StreamOperator<I, KI, O, KO>,
  batch: StreamBatch<I, KI>,
  out: Output<O, KO>,
): void {
  if (operator.processBatch !== undefined) {
    operator.processBatch(batch, out);
    return;
  }
  for (let i = 0; i < batch.length; i++) {
    processElement(operator, batch[i]!, out);
  }
}

/** Dispatches one element to the operator method for its kind, forwarding it if there is none. */
export function processElement<I, KI, O, KO>(
  operator: StreamOperator<I, KI, O, KO>,
  element: StreamElement<I, KI>,
  out: Output<O, KO>,
): void {
  switch (element.kind) {
    case 'record':
      operator.processRecord(element, out);
      break;
    case 'watermark':
      if (operator.processWatermark) operator.processWatermark(element, out);
      else out.push(element);
      break;
    case 'status':
      if (operator.processStatus) operator.processStatus(element, out);
      else out.push(element);
      break;
    case 'barrier':
      // The barrier's checkpoint brings the snapshot code (src/checkpoint/operator-state.ts), so
      // that a pipeline without checkpoints does not link it.
      if (element.checkpoint !== undefined && hasState(operator))
        codecsFor(operator, element.checkpoint).snapshot(operator, element.checkpoint);
      if (operator.processBarrier) operator.processBarrier(element, out);
      else out.push(element);
      break;
    case 'control':
      if (element.type === RESTORE_CONTROL && hasState(operator)) {
        const source = element.payload as RestoreSource;
        codecsFor(operator, source).restore(operator, source);
      } else if (element.type === PIPELINE_CONTROL) linkToPipeline(operator, element.payload as PipelineLink, element);
      if (operator.processControl) operator.processControl(element, out);
      else out.push(element);
      break;
  }
}
