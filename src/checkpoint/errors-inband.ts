/**
 * Typed errors of running checkpoints and restores (the in-band half). Storage errors are in
 * errors.ts; these are about the pipeline: what it reported, what it claimed, how long it took.
 */

import { StreamError } from '../core/errors.js';

/**
 * The restored snapshot holds state that no operator of the pipeline claimed (an operator was
 * removed or its uid changed), or positions of sources the pipeline no longer declares. Restoring
 * would silently lose that state, so it is refused unless `allowUnclaimedState` is set (Flink's
 * `--allowNonRestoredState`).
 */
export class UnclaimedStateError extends StreamError {
  declare readonly checkpointId: number;
  declare readonly operators: readonly string[];
  declare readonly sources: readonly string[];
  constructor(checkpointId: number, operators: readonly string[], sources: readonly string[]) {
    const parts = [
      ...(operators.length > 0
        ? [`operator state under uid ${operators.map((u) => JSON.stringify(u)).join(', ')}`]
        : []),
      ...(sources.length > 0 ? [`the position of source ${sources.map((u) => JSON.stringify(u)).join(', ')}`] : []),
    ];
    super(
      'UNCLAIMED_STATE',
      `Checkpoint ${checkpointId} holds ${parts.join(' and ')}, which nothing in this pipeline claims. ` +
        'Give the operator its old uid back, or pass allowUnclaimedState: true to drop that state.',
    );
    this.checkpointId = checkpointId;
    this.operators = operators;
    this.sources = sources;
  }
}

/**
 * Stored state was written with another state version than the operator now has, and no migration
 * hook converted it.
 */
export class StateVersionError extends StreamError {
  declare readonly uid: string;
  declare readonly storedVersion: number;
  declare readonly operatorVersion: number;
  constructor(uid: string, storedVersion: number, operatorVersion: number, reason: string) {
    super(
      'STATE_VERSION',
      `The state stored under uid ${JSON.stringify(uid)} has version ${storedVersion}, the operator expects version ${operatorVersion}: ${reason}`,
    );
    this.uid = uid;
    this.storedVersion = storedVersion;
    this.operatorVersion = operatorVersion;
  }
}

/** Why a checkpoint did not complete: what it was still waiting for. */
export class CheckpointAbortedError extends StreamError {
  declare readonly checkpointId: number;
  constructor(checkpointId: number, reason: string, options?: { cause?: unknown }) {
    super('CHECKPOINT_ABORTED', `Checkpoint ${checkpointId} did not complete: ${reason}`, options);
    this.checkpointId = checkpointId;
  }
}

/**
 * An operator reported its state after its checkpoint had completed: something between the sources
 * and it delivered the barrier asynchronously without holding the checkpoint (an RxJS `delay`,
 * `observeOn`, a Subject...). Use the library's async stages (`asyncMap`, sinks) there; they hold it.
 */
export class LateStateReportError extends StreamError {
  declare readonly checkpointId: number;
  declare readonly uid: string;
  constructor(checkpointId: number, uid: string, operator: string) {
    super(
      'LATE_STATE_REPORT',
      `${operator} reported its state for checkpoint ${checkpointId} after the checkpoint had completed: an asynchronous RxJS operator ` +
        '(delay, observeOn, a Subject...) between the sources and it delivers barriers late; use asyncMap or the async sinks for asynchronous steps',
    );
    this.checkpointId = checkpointId;
    this.uid = uid;
  }
}

/**
 * A restore would fall back past a checkpoint whose output sinks have committed: that checkpoint
 * cannot be loaded (damaged, deleted), and restoring an older one replays its input, so the results
 * between the two would be committed a second time, under new checkpoint ids. Refused by default;
 * `allowFallbackPastCommit: true` accepts it (at least once for those results).
 */
export class CommittedCheckpointLostError extends StreamError {
  /** The newest checkpoint whose output was committed. */
  declare readonly committedCheckpointId: number;
  /** The checkpoint the fallback reached, or undefined when none could be loaded. */
  declare readonly restoredCheckpointId: number | undefined;
  /** Why each newer snapshot was skipped, newest first. */
  declare readonly failures: readonly Error[];
  constructor(committedCheckpointId: number, restoredCheckpointId: number | undefined, failures: readonly Error[]) {
    const why = failures.length > 0 ? ` (${failures.map((f) => f.message).join('; ')})` : ' (it is no longer stored)';
    const instead =
      restoredCheckpointId === undefined
        ? 'starting without it'
        : `restoring checkpoint ${restoredCheckpointId} instead`;
    super(
      'COMMITTED_CHECKPOINT_LOST',
      `The output of checkpoint ${committedCheckpointId} was committed, but it cannot be restored${why}; ${instead} would commit ` +
        `the results after ${restoredCheckpointId === undefined ? 'the start' : `checkpoint ${restoredCheckpointId}`} again. Repair or bring back checkpoint ` +
        `${committedCheckpointId}, or pass allowFallbackPastCommit: true to accept duplicated results (at least once).`,
    );
    this.committedCheckpointId = committedCheckpointId;
    this.restoredCheckpointId = restoredCheckpointId;
    this.failures = failures;
  }
}

/**
 * The pipeline stopped before the end of its input without an error the coordinator could see: it
 * was unsubscribed (`take`, a component unmounted), or an operator failed and its error went only to
 * the subscriber. `whenFinished()` and pending `checkpoint()` calls reject with it.
 */
export class PipelineStoppedError extends StreamError {
  declare readonly sourceId: string;
  constructor(sourceId: string) {
    super(
      'PIPELINE_STOPPED',
      `The pipeline stopped before the end of its input: source ${JSON.stringify(sourceId)} was unsubscribed ` +
        '(by an unsubscribe, or after an error that went to the subscriber)',
    );
    this.sourceId = sourceId;
  }
}

/**
 * The snapshot to restore is of a finished pipeline (its final checkpoint: event time ended at every
 * operator), so every new record would be dropped as late. Pass `ifFinished: 'start-fresh'` to start
 * without it, or restore an earlier checkpoint or savepoint.
 */
export class FinishedPipelineError extends StreamError {
  declare readonly checkpointId: number;
  constructor(checkpointId: number) {
    super(
      'PIPELINE_FINISHED',
      `Checkpoint ${checkpointId} is the final checkpoint of a finished pipeline: event time has ended, so every new record ` +
        "would be dropped as late. Pass ifFinished: 'start-fresh' to start over (checkpoint ids go on after it), or restore an earlier checkpoint or savepoint.",
    );
    this.checkpointId = checkpointId;
  }
}
