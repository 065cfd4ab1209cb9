/**
 * Typed errors of snapshot storage. Every error about a stored snapshot names it: the pipeline, the
 * checkpoint id (or savepoint name), the backend, and the reason, so a user can find the file or the
 * IndexedDB entry, and a program can switch on `code`.
 */

import { StreamError } from '../core/errors.js';

/** Which stored snapshot an error is about. */
export interface SnapshotRef {
  readonly pipelineId: string;
  /** The checkpoint concerned; undefined for the manifest, or for the pipeline's storage as a whole. */
  readonly checkpointId?: number | undefined;
  /** The backend that holds it: 'memory', 'files', 'indexeddb', or a custom backend's name. */
  readonly backend: string;
  /**
   * The damaged or unreadable blob, when one is at fault: 'manifest', 'snapshot-<id>' (a file name
   * of the file backend, a key of IndexedDB), or 'bytes' for what `importSnapshot` was given.
   */
  readonly blob?: string | undefined;
}

function describeRef(ref: SnapshotRef): string {
  const what =
    ref.blob === 'manifest'
      ? 'the checkpoint manifest'
      : ref.checkpointId !== undefined
        ? `checkpoint ${ref.checkpointId}`
        : ref.blob !== undefined
          ? 'the snapshot'
          : 'the stored checkpoints';
  const blob =
    ref.blob === undefined ? '' : ref.blob === 'bytes' ? ' (the bytes given)' : ` (blob ${JSON.stringify(ref.blob)})`;
  return `${what}${blob} of pipeline ${JSON.stringify(ref.pipelineId)} in the ${ref.backend} backend`;
}

/** Base class of the errors that concern one stored snapshot (or the manifest that lists them). */
export class SnapshotError extends StreamError {
  declare readonly pipelineId: string;
  declare readonly checkpointId: number | undefined;
  declare readonly backend: string;
  /** The blob at fault (see `SnapshotRef.blob`), when one is. */
  declare readonly blob: string | undefined;
  declare readonly reason: string;
  constructor(code: string, ref: SnapshotRef, reason: string, options?: { cause?: unknown }) {
    super(code, `${describeRef(ref)}: ${reason}`, options);
    this.pipelineId = ref.pipelineId;
    this.checkpointId = ref.checkpointId;
    this.backend = ref.backend;
    this.blob = ref.blob;
    this.reason = reason;
  }
}

/**
 * The stored bytes are not a valid snapshot: truncated, checksum mismatch, not a snapshot at all,
 * or undecodable. The snapshot is refused, never half-loaded.
 */
export class CorruptSnapshotError extends SnapshotError {
  constructor(ref: SnapshotRef, reason: string, options?: { cause?: unknown }) {
    super('SNAPSHOT_CORRUPT', ref, reason, options);
  }
}

/** The snapshot was written in a format version this version of the library cannot read. */
export class IncompatibleSnapshotError extends SnapshotError {
  declare readonly storedVersion: number;
  declare readonly supportedVersion: number;
  constructor(ref: SnapshotRef, storedVersion: number, supportedVersion: number) {
    super(
      'SNAPSHOT_INCOMPATIBLE',
      ref,
      `format version ${storedVersion} is newer than the supported version ${supportedVersion}; upgrade rxflink to read it`,
    );
    this.storedVersion = storedVersion;
    this.supportedVersion = supportedVersion;
  }
}

/** No stored snapshot matches the id or name asked for. */
export class SnapshotNotFoundError extends SnapshotError {
  constructor(ref: SnapshotRef, reason: string) {
    super('SNAPSHOT_NOT_FOUND', ref, reason);
  }
}

/**
 * Restore found snapshots, but none could be loaded. `failures` holds the error of each snapshot
 * tried, newest first.
 */
export class NoRestorableSnapshotError extends SnapshotError {
  declare readonly failures: readonly SnapshotError[];
  constructor(ref: SnapshotRef, failures: readonly SnapshotError[]) {
    super(
      'SNAPSHOT_NONE_RESTORABLE',
      ref,
      `none of the ${failures.length} stored snapshot(s) tried could be restored: ${failures.map((f) => f.reason).join('; ')}`,
    );
    this.failures = failures;
  }
}

/**
 * A snapshot cannot be stored as asked: its state holds a value that is not plain data (a Map, a
 * class instance, a function...), a checkpoint id is taken, an incremental snapshot names a parent
 * that is not stored, or it belongs to another pipeline. `path` points into the snapshot when a value
 * is at fault, e.g. `operators["counts"].state.table`.
 */
export class InvalidSnapshotError extends SnapshotError {
  declare readonly path: string | undefined;
  constructor(ref: SnapshotRef, reason: string, path?: string) {
    super('SNAPSHOT_INVALID', ref, path === undefined ? reason : `${reason} at ${path}`);
    this.path = path;
  }
}

/** A stored checkpoint cannot be deleted because retained incremental checkpoints build on it. */
export class SnapshotInUseError extends SnapshotError {
  declare readonly dependents: readonly number[];
  constructor(ref: SnapshotRef, dependents: readonly number[]) {
    super('SNAPSHOT_IN_USE', ref, `incremental checkpoint(s) ${dependents.join(', ')} build on it; delete them first`);
    this.dependents = dependents;
  }
}

/** Why a storage operation failed, independent of the snapshot. */
export type StorageFailure =
  /** The browser's quota or the disk is full (QuotaExceededError, ENOSPC, EDQUOT). */
  | 'quota-exceeded'
  /** The storage cannot be used at all: no IndexedDB (private mode, disabled), no permission. */
  | 'unavailable'
  /** Opening the database is blocked by another connection (another tab upgrading or deleting it). */
  | 'blocked'
  /** The database connection was closed (by the browser, by another tab deleting it, or by close()). */
  | 'closed'
  /** Another tab or process owns this pipeline's stored state; this backend is read-only. */
  | 'not-owner'
  /** Any other I/O failure. */
  | 'io';

/**
 * A backend could not read or write. Whatever was stored before stays intact: a failed save leaves
 * the previous checkpoints loadable (writes put data first and the manifest last, atomically).
 */
export class StorageError extends SnapshotError {
  declare readonly failure: StorageFailure;
  constructor(failure: StorageFailure, ref: SnapshotRef, reason: string, options?: { cause?: unknown }) {
    super(`STORAGE_${failure.toUpperCase().replace('-', '_')}`, ref, reason, options);
    this.failure = failure;
  }
}

/**
 * A value cannot be stored in a snapshot because it is not plain data (see `Snapshot`), or it is
 * cyclic. `path` says where, from the root of the value, e.g. `.table[3][1]`.
 */
export class UnsupportedValueError extends StreamError {
  declare readonly path: string;
  /** What was found, e.g. "an instance of Map". */
  declare readonly what: string;
  constructor(path: string, what: string) {
    super(
      'UNSUPPORTED_VALUE',
      `Cannot store ${what} at ${path || '(root)'}: snapshots hold plain data only (null, booleans, numbers, strings, bigint, undefined, arrays, plain objects)`,
    );
    this.path = path;
    this.what = what;
  }
}
