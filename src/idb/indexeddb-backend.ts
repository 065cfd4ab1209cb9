/**
 * The IndexedDB backend: the browser default (docs/architecture.md §4, §6). Snapshots are stored as the same
 * checksummed bytes as the other backends, so a damaged entry is detected the same way; one tab at
 * a time owns a pipeline's state (Web Locks), so two tabs never write it.
 */

import { SnapshotBackend } from '../checkpoint/backend.js';
import type { CheckpointBackend, CheckpointBackendOptions } from '../checkpoint/backend-types.js';
import { StorageError } from '../checkpoint/errors.js';
import { checkPipelineId } from '../checkpoint/snapshot-validation.js';
import { InvalidOptionError } from '../core/errors.js';
import { databaseName, describe, IndexedDbBlobStore } from './idb-store.js';
import { acquireWaiting, lockName, notOwnerError, tryAcquire, type HeldLock, type OwnershipMode } from './ownership.js';

/** Options of `openIndexedDbBackend`: the backend options plus how this tab takes ownership. */
export interface IndexedDbBackendOptions extends CheckpointBackendOptions {
  /** What to do when another tab owns the pipeline. Default 'wait'. */
  readonly ownership?: OwnershipMode;
  /** Called once when the backend has to wait for another tab (ownership 'wait'). */
  readonly onWait?: () => void;
  /** Aborts the wait for ownership. */
  readonly signal?: AbortSignal;
  /** Called if this tab loses ownership (another tab stole the lock); the backend is then read-only. */
  readonly onOwnershipLost?: (reason: string) => void;
  /** The IndexedDB factory. Default: `globalThis.indexedDB`. */
  readonly indexedDB?: IDBFactory;
  /** The Web Locks manager. Default: `navigator.locks`; without it, opening for writing fails. */
  readonly locks?: LockManager;
  /** How long opening the database may stay queued behind another tab before failing 'blocked'. Default 10 s. */
  readonly openTimeoutMs?: number;
}

/** A checkpoint backend in IndexedDB, and whether this tab owns the pipeline's state. */
export interface IndexedDbBackend extends CheckpointBackend {
  /** 'owner': this tab may write. 'read-only': another tab owns it (or ownership was lost). */
  readonly ownership: 'owner' | 'read-only';
  /** The IndexedDB database that holds this pipeline's snapshots. */
  readonly databaseName: string;
}

class IndexedDbSnapshotBackend extends SnapshotBackend implements IndexedDbBackend {
  declare readonly databaseName: string;
  #lock: HeldLock | undefined;

  constructor(store: IndexedDbBlobStore, options: IndexedDbBackendOptions, lock: HeldLock | undefined) {
    super(store, options);
    this.databaseName = store.databaseName;
    this.#lock = lock;
    lock?.lost
      .then((reason) => {
        this.#lock = undefined;
        this.markReadOnly(`ownership lost: ${reason}`);
        options.onOwnershipLost?.(reason);
      })
      .catch(() => undefined);
  }

  get ownership(): 'owner' | 'read-only' {
    return this.readOnlyReason === undefined ? 'owner' : 'read-only';
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      this.#lock?.release();
      this.#lock = undefined;
    }
  }
}

/**
 * Opens the IndexedDB backend of a pipeline, taking ownership of its stored state for this tab.
 *
 * @example
 * const backend = await openIndexedDbBackend({
 *   pipelineId: 'clicks-per-minute',
 *   ownership: 'read-only',
 * });
 * if (backend.ownership === 'read-only') showBanner('Open in another tab: showing its last checkpoint');
 * const restored = await backend.load();
 */
export async function openIndexedDbBackend(options: IndexedDbBackendOptions): Promise<IndexedDbBackend> {
  const ownership = options.ownership ?? 'wait';
  if (ownership !== 'wait' && ownership !== 'read-only' && ownership !== 'fail') {
    throw new InvalidOptionError('ownership', ownership, "must be 'wait', 'read-only' or 'fail'");
  }
  checkPipelineId(options.pipelineId);
  const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  const openTimeoutMs = options.openTimeoutMs ?? 10_000;
  if (!Number.isFinite(openTimeoutMs) || openTimeoutMs <= 0) {
    throw new InvalidOptionError('openTimeoutMs', openTimeoutMs, 'must be a positive number of milliseconds');
  }
  const store = new IndexedDbBlobStore(databaseName(options.pipelineId), factory, openTimeoutMs);
  if (options.readOnly !== undefined) return probe(new IndexedDbSnapshotBackend(store, options, undefined));

  const ref = { pipelineId: options.pipelineId, backend: 'indexeddb' };
  const unavailable = (why: string, cause?: unknown): StorageError =>
    new StorageError(
      'unavailable',
      ref,
      `the Web Locks API (navigator.locks) ${why}, so this tab cannot take ownership; it needs a secure, non-opaque origin (https or localhost, not a sandboxed frame). Open with readOnly to only load.`,
      cause === undefined ? undefined : { cause },
    );
  let locks: LockManager | undefined;
  try {
    locks = options.locks ?? (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  } catch (error) {
    throw unavailable(`cannot be used here (${describe(error)})`, error);
  }
  if (locks === undefined) throw unavailable('is not available');
  const name = lockName(options.pipelineId);
  // An opaque origin (sandboxed frame, data: URL) has the API but refuses every request.
  const lockFailure = (error: unknown): unknown =>
    (error as { name?: unknown } | null)?.name === 'SecurityError'
      ? unavailable(`refused the request (${describe(error)})`, error)
      : error;
  let lock: HeldLock | undefined;
  try {
    lock = await tryAcquire(locks, name);
  } catch (error) {
    throw lockFailure(error);
  }
  if (lock === undefined) {
    if (ownership === 'fail') throw notOwnerError(options.pipelineId);
    if (ownership === 'read-only') {
      return probe(
        new IndexedDbSnapshotBackend(
          store,
          { ...options, readOnly: "another tab owns this pipeline's stored state" },
          undefined,
        ),
      );
    }
    options.onWait?.();
    try {
      lock = await acquireWaiting(locks, name, options.signal);
    } catch (error) {
      throw lockFailure(error);
    }
  }
  return probe(new IndexedDbSnapshotBackend(store, options, lock));
}

/**
 * Opens the database now, so that unavailable IndexedDB (private mode) or a blocked open is reported
 * by openIndexedDbBackend itself, as a StorageError, and the lock is not kept by a useless backend.
 */
async function probe(backend: IndexedDbSnapshotBackend): Promise<IndexedDbBackend> {
  try {
    await backend.list();
  } catch (error) {
    // A newer manifest is reported by load() and save() themselves; only storage failures stop here.
    if (error instanceof StorageError) {
      await backend.close().catch(() => undefined);
      throw error;
    }
  }
  return backend;
}
