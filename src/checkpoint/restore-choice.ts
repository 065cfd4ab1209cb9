/**
 * Which snapshot a pipeline starts from (docs/checkpoints.md §3), decided before it runs: the one
 * asked for, or the latest that loads, unless that would commit results twice (a fallback past a
 * committed checkpoint) or drop every new record (the final checkpoint of a finished pipeline).
 */

import { InvalidOptionError } from '../core/errors.js';
import { checkKeyGroupRange, type KeyGroupRange } from '../core/state-snapshot.js';
import type { CheckpointBackend, SnapshotSelector } from './backend-types.js';
import type { SnapshotError } from './errors.js';
import { CommittedCheckpointLostError, FinishedPipelineError } from './errors-inband.js';
import type { Snapshot } from './snapshot.js';

/** The options of `startCheckpointing` about what to restore. */
export interface RestoreOptions {
  /**
   * What to start from: the latest stored checkpoint or savepoint (default; a damaged one falls back
   * to the one before), a given one (`3`, `{ checkpointId: 3 }`, `{ name: 'before-upgrade' }`), or
   * `false` for a fresh start.
   */
  restore?: 'latest' | SnapshotSelector | false;
  /**
   * When the latest checkpoint cannot be loaded and the restore falls back to an older one, but the
   * output of a newer checkpoint was already committed, the restore fails with
   * `CommittedCheckpointLostError` (the replay would commit those results again). `true` accepts
   * the fallback: those results are then committed at least once, not exactly once. Default false.
   */
  allowFallbackPastCommit?: boolean;
  /**
   * What to do when the snapshot to restore is of a finished pipeline (its final checkpoint: event
   * time ended everywhere, so every new record would be late): `'fail'` (default) throws
   * `FinishedPipelineError`; `'start-fresh'` starts without it, as `restore: false` would (checkpoint
   * ids go on after it). A page that completes its pipeline on `pagehide` and runs it again on its
   * next visit wants `'start-fresh'`.
   */
  ifFinished?: 'fail' | 'start-fresh';
  /** Told when the restore skipped snapshots that could not be loaded (see `RestoreFallback`). */
  onFallback?: (fallback: RestoreFallback) => void;
  /**
   * Restore only the keyed state of these key groups, an inclusive range as Flink's KeyGroupRange
   * (`{ start: 0, end: 63 }`: the first half of 128): one of several parallel instances of a
   * pipeline takes its share of a snapshot taken at another parallelism (docs/checkpoints.md §10).
   * The tables of the other groups are neither decoded nor kept. Each instance must then receive
   * only the records of its key groups (`record.keyGroup`). Default: every key group.
   */
  keyGroups?: KeyGroupRange;
}

/** A restore that fell back past snapshots it could not load, and what that costs. */
export interface RestoreFallback {
  /** The checkpoint restored instead, or undefined when none was left (a fresh start). */
  readonly restoredCheckpointId: number | undefined;
  /** Why each skipped snapshot was refused, newest first. */
  readonly skipped: readonly SnapshotError[];
  /**
   * Set when a skipped checkpoint's output was already committed: its results will be committed
   * again (at least once). Only with `allowFallbackPastCommit: true`; otherwise this is thrown.
   */
  readonly pastCommit: CommittedCheckpointLostError | undefined;
}

/**
 * Loads the snapshot to restore (undefined for a fresh start) and the highest checkpoint id used so
 * far, after which the pipeline's ids go on. Throws `CommittedCheckpointLostError` or
 * `FinishedPipelineError` as `options` say.
 *
 * @example
 * const { restored, lastId } = await chooseRestore(backend, { restore: 'latest', ifFinished: 'start-fresh' });
 */
export async function chooseRestore(
  backend: CheckpointBackend,
  options: RestoreOptions,
): Promise<{ restored: Snapshot | undefined; lastId: number }> {
  const restore = options.restore ?? 'latest';
  const ifFinished = options.ifFinished ?? 'fail';
  if (ifFinished !== 'fail' && ifFinished !== 'start-fresh')
    throw new InvalidOptionError('ifFinished', ifFinished, "must be 'fail' or 'start-fresh'");
  if (options.onFallback !== undefined && typeof options.onFallback !== 'function') {
    throw new InvalidOptionError(
      'onFallback',
      options.onFallback,
      'must be a function ({ restoredCheckpointId, skipped, pastCommit }) => void',
    );
  }
  checkKeyGroupRange(options.keyGroups, 'keyGroups');
  const record = await backend.commitRecord();
  const skipped: SnapshotError[] = [];
  const onSkip = (error: SnapshotError): void => void skipped.push(error);
  let restored =
    restore === false
      ? undefined
      : await backend.load(restore === 'latest' ? undefined : restore, { onSkip, keyGroups: options.keyGroups });
  if (restore === 'latest') {
    // A fallback before the last commit is exactly once (the replay commits what was never
    // committed); past it, the replay would commit committed results again.
    const restoredId = restored?.checkpointId;
    const pastCommit =
      record.committedCheckpointId > (restoredId ?? 0)
        ? new CommittedCheckpointLostError(record.committedCheckpointId, restoredId, skipped)
        : undefined;
    if (pastCommit !== undefined && options.allowFallbackPastCommit !== true) throw pastCommit;
    if (skipped.length > 0 || pastCommit !== undefined)
      options.onFallback?.({ restoredCheckpointId: restoredId, skipped, pastCommit });
  }
  if (restored !== undefined && isFinished(restored)) {
    if (ifFinished === 'fail') throw new FinishedPipelineError(restored.checkpointId);
    restored = undefined;
  }
  // The restored pipeline commits the transactions stored in its checkpoint again (their commit may
  // not have run before the crash): record that before it can happen.
  if (
    restored !== undefined &&
    restored.checkpointId > record.committedCheckpointId &&
    backend.readOnlyReason === undefined
  ) {
    await backend.recordCommit(restored.checkpointId);
  }
  const stored = await backend.list();
  // Ids never go backwards or repeat: the commit record remembers the highest ever used.
  const lastId = Math.max(
    0,
    restored?.checkpointId ?? 0,
    record.highestCheckpointId,
    ...stored.map((s) => s.checkpointId),
  );
  return { restored, lastId };
}

/**
 * Whether a snapshot is a finished pipeline's: every operator that records a watermark was at +∞ (the
 * end of event time reached them all, as before a final checkpoint). Restored, it would drop every
 * new record as late.
 */
function isFinished(snapshot: Snapshot): boolean {
  const watermarks = Object.values(snapshot.watermarks);
  return watermarks.length > 0 && watermarks.every((w) => w === Infinity);
}
