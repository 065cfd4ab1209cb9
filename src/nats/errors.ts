/** The typed errors of `rxflink/nats`: each names the stream, key or checkpoint it is about. */
import { StreamError } from '../core/errors.js';

/**
 * The stream the exactly-once sink publishes to keeps message ids for dedup over a shorter window
 * than the configured recovery time: a re-send after a longer outage would not be dropped by the
 * server and would duplicate output. Raised when the sink opens, before anything is published.
 */
export class DuplicateWindowError extends StreamError {
  readonly stream: string;
  /** The stream's `duplicate_window`, in ms. */
  readonly windowMs: number;
  /** The sink's `recoveryTime`, in ms. */
  readonly recoveryTimeMs: number;
  constructor(stream: string, windowMs: number, recoveryTimeMs: number) {
    super(
      'NATS_DUPLICATE_WINDOW',
      `stream ${JSON.stringify(stream)} keeps message ids for ${windowMs} ms (duplicate_window), shorter than the sink's recoveryTime of ${recoveryTimeMs} ms: re-sends after a longer outage would be duplicated. Raise the stream's duplicate_window or lower recoveryTime`,
    );
    this.stream = stream;
    this.windowMs = windowMs;
    this.recoveryTimeMs = recoveryTimeMs;
  }
}

/**
 * The commit marker of a sink was changed by someone else between the sink's read and its
 * compare-and-set write (another instance runs the same task, or the marker was edited by hand).
 */
export class CommitConflictError extends StreamError {
  readonly key: string;
  readonly checkpointId: number;
  constructor(key: string, checkpointId: number, cause?: unknown) {
    super(
      'NATS_COMMIT_CONFLICT',
      `the commit marker ${JSON.stringify(key)} changed under the sink while it committed checkpoint ${checkpointId}: another instance writes the same task`,
      { cause },
    );
    this.key = key;
    this.checkpointId = checkpointId;
  }
}

/**
 * A write of a commit marker carried an older epoch than the one stored: the writer lost its lease
 * (a zombie instance) and must not publish or commit any more.
 */
export class FencedError extends StreamError {
  readonly key: string;
  /** The epoch the refused write carried. */
  readonly epoch: number;
  /** The newer epoch found in the marker. */
  readonly currentEpoch: number;
  constructor(key: string, epoch: number, currentEpoch: number) {
    super(
      'NATS_FENCED',
      `commit marker ${JSON.stringify(key)} belongs to epoch ${currentEpoch}; this writer has epoch ${epoch} and is fenced off (its lease was taken over)`,
    );
    this.key = key;
    this.epoch = epoch;
    this.currentEpoch = currentEpoch;
  }
}
