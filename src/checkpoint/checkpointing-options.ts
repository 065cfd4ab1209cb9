/**
 * The options of `startCheckpointing`, validated when the coordinator is built, and what the
 * coordinator reports.
 */
import { asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';
import type { SourceCheckpointLink } from '../core/source-link.js';
import { InvalidOptionError } from '../core/errors.js';
import type { MetricsCollector } from '../core/metrics/collector.js';
import type { CheckpointBackend, StoredSnapshotInfo } from './backend-types.js';
import type { RestoreOptions } from './restore-choice.js';
import type { StateMigration } from './restore-state.js';

/**
 * A source that can take part in checkpoints: the pulled sources (which resume at their position:
 * exactly once) and `fromPush` (which cannot replay: at most once for what it buffered or received
 * after the last checkpoint).
 */
export interface CheckpointableSource<T> {
  /**
   * The source's batches with the checkpoint barriers and restore markers the coordinator injects
   * through `link`, in between batches. Called by `checkpoints.source(id, source)`; each
   * subscription of the result connects to the link.
   */
  withCheckpoints(link: SourceCheckpointLink): Observable<readonly T[]>;
}

/** Options of `startCheckpointing`: the backend, the interval, and how to restore. */
export interface CheckpointingOptions extends RestoreOptions {
  /** Where checkpoints go: `memoryBackend`, `fileBackend` (rxflink/node), `openIndexedDbBackend` (rxflink/idb). */
  backend: CheckpointBackend;
  /** Processing time between two checkpoints, in ms (> 0). */
  interval: number;
  /**
   * Where the pipeline reports its metrics, job graph, checkpoints and exceptions (a `PipelineMetrics`,
   * docs/monitoring.md). Default: none.
   */
  metrics?: MetricsCollector | undefined;
  /** Where processing time comes from; the same scheduler as the sources'. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Drop stored state that no operator claims instead of failing with `UnclaimedStateError`. */
  allowUnclaimedState?: boolean;
  /** Converts stored state whose `stateVersion` differs from the operator's. */
  migrate?: StateMigration;
  /** Store only keys changed since the previous checkpoint (default true; the backend bounds chains). */
  incremental?: boolean;
  /** A checkpoint still running after this many ms is aborted. Default 600,000 (Flink's 10 minutes). */
  timeout?: number;
  /** Failed checkpoints tolerated in a row before the pipeline fails. Default 0, as in Flink. */
  tolerableFailures?: number;
}

/** Counts about the checkpoints of a pipeline so far. */
export interface CheckpointStats {
  readonly completed: number;
  readonly failed: number;
  /** Triggers that came while another checkpoint was running, or before every source was running. */
  readonly skipped: number;
  /** Processing time from trigger to stored, of the last completed checkpoint. */
  readonly lastDurationMs: number | undefined;
  readonly lastCheckpoint: StoredSnapshotInfo | undefined;
}

/** The validated settings of a coordinator, with their defaults. */
export interface CheckpointingSettings {
  readonly scheduler: SchedulerLike;
  readonly interval: number;
  readonly timeout: number;
  readonly tolerableFailures: number;
  readonly incremental: boolean;
  readonly allowUnclaimedState: boolean;
  readonly migrate: StateMigration | undefined;
  readonly metrics: MetricsCollector | undefined;
}

/** Validates `options` (`InvalidOptionError` naming the option) and fills in the defaults. */
export function checkpointingSettings(options: CheckpointingOptions): CheckpointingSettings {
  if (!(typeof options.interval === 'number' && options.interval > 0)) {
    throw new InvalidOptionError('interval', options.interval, 'must be a number of ms > 0');
  }
  const timeout = options.timeout ?? 600_000;
  if (!(typeof timeout === 'number' && timeout > 0))
    throw new InvalidOptionError('timeout', timeout, 'must be a number of ms > 0');
  const tolerable = options.tolerableFailures ?? 0;
  if (!(tolerable >= 0)) throw new InvalidOptionError('tolerableFailures', tolerable, 'must be a number >= 0');
  if (options.migrate !== undefined && typeof options.migrate !== 'function') {
    throw new InvalidOptionError(
      'migrate',
      options.migrate,
      'must be a function ({ uid, fromVersion, toVersion, snapshot }) => snapshot',
    );
  }
  if (options.metrics !== undefined && typeof (options.metrics as { join?: unknown } | null)?.join !== 'function') {
    throw new InvalidOptionError('metrics', options.metrics, 'must be a PipelineMetrics');
  }
  return {
    scheduler: options.scheduler ?? asyncScheduler,
    interval: options.interval,
    timeout,
    tolerableFailures: tolerable,
    incremental: options.incremental ?? true,
    allowUnclaimedState: options.allowUnclaimedState ?? false,
    migrate: options.migrate,
    metrics: options.metrics,
  };
}
