import { describeValue, StreamError } from '../core/errors.js';

/**
 * A user function cannot be moved to a worker: functions are not data, so a keyed segment must be
 * defined with `defineSegment` in a module the worker imports, and exported from it under its name
 * (docs/parallel.md). Names what could not be moved and why.
 */
export class SegmentNotMovableError extends StreamError {
  /** What could not be moved (a value, a segment name, a module URL). */
  readonly element: unknown;
  constructor(element: unknown, reason: string) {
    super('SEGMENT_NOT_MOVABLE', `Cannot move ${describeValue(element)} to a worker: ${reason}`);
    this.element = element;
  }
}

/**
 * A parallel subtask failed: its segment threw, its worker exited or could not start. `subtask` is the
 * subtask's index, `cause` the error the worker reported (or what the platform said).
 */
export class SubtaskFailedError extends StreamError {
  /** The index of the subtask that failed, from 0. */
  readonly subtask: number;
  /** The segment's name. */
  readonly segment: string;
  constructor(segment: string, subtask: number, reason: string, cause?: unknown) {
    super('SUBTASK_FAILED', `Subtask ${subtask} of segment ${JSON.stringify(segment)} failed: ${reason}`, { cause });
    this.subtask = subtask;
    this.segment = segment;
  }
}

/** A record reached `parallel` without a key group of its max parallelism: `keyBy` must come first. */
export class NotPartitionableError extends StreamError {
  /** The record's value. */
  readonly element: unknown;
  constructor(element: unknown, keyGroup: number, maxParallelism: number) {
    super(
      'NOT_PARTITIONABLE',
      `Record ${describeValue(element)} has key group ${keyGroup}, not one of [0, ${maxParallelism - 1}]: apply keyBy(...) with the same maxParallelism (${maxParallelism}) before parallel(...)`,
    );
    this.element = element;
  }
}

/**
 * The restart strategy gave up (Flink: "recovery is suppressed"): the pipeline failed once more than
 * it allows. Names the strategy, the number of restarts made, and the last failure (`cause`); when
 * that was a subtask's, its segment and subtask index too.
 */
export class RestartsExhaustedError extends StreamError {
  /** Restarts made before giving up. */
  readonly restarts: number;
  /** The segment of the subtask whose failure was the last, if a subtask's was. */
  readonly segment: string | undefined;
  /** The index of that subtask. */
  readonly subtask: number | undefined;
  constructor(strategy: string, restarts: number, cause: unknown) {
    const failed = cause instanceof SubtaskFailedError ? cause : undefined;
    const where =
      failed === undefined ? '' : ` (subtask ${failed.subtask} of segment ${JSON.stringify(failed.segment)})`;
    const last = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(
      'RESTARTS_EXHAUSTED',
      `The restart strategy ${strategy} gave up after ${restarts} restart(s); the last failure${where}: ${last}`,
      { cause },
    );
    this.restarts = restarts;
    this.segment = failed?.segment;
    this.subtask = failed?.subtask;
  }
}
