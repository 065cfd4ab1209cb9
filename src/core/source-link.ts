/**
 * How a source takes part in checkpoints (docs/architecture.md §4): the coordinator gives each
 * declared source a link, and each subscription of the source connects to it with a port through
 * which barriers and restore markers enter the stream.
 */
import type { StreamElement } from './elements.js';
import type { StageCounters } from './metrics/stage-probe.js';

/**
 * How a source takes part in checkpoints: the coordinator gives each declared source a link, and
 * every subscription of the source connects to it with a port.
 */
export interface SourceCheckpointLink {
  readonly id: string;
  /** A subscription of the source opened; returns what to call when it closes. */
  connect(port: SourcePort): () => void;
  /**
   * The source read its last value; its position is final. It completes only when the coordinator
   * calls `port.complete()` (after the end of input and a final barrier, for the last source).
   */
  finishing(position: unknown): void;
}

/** What a source subscription offers the checkpoint coordinator. */
export interface SourcePort {
  /**
   * Delivers `elements` in a marker batch at the next point between two batches (at once when the
   * source is between batches), then calls `delivered` with the position after the last value
   * delivered before them.
   */
  inject(elements: readonly StreamElement<never, never>[], delivered?: (position: unknown) => void): void;
  /** Stops pulling until `resume()`: a checkpoint is being started at the other sources. */
  pause(): void;
  /** Lets a paused source pull again, from where it stopped. */
  resume(): void;
  /** Ends the subscription with `error` (a failed restore or checkpoint). */
  fail(error: unknown): void;
  /** Completes a source that is `finishing`, after delivering what was injected. */
  complete(): void;
  /**
   * What the source counts, for the job graph of a pipeline with metrics (docs/monitoring.md): the
   * metrics make the source's probe over it when the source joins, so that a pipeline without
   * metrics makes none.
   */
  readonly stats?: StageCounters | undefined;
}
