/**
 * The contract of a checkpoint backend (docs/architecture.md §4): what a backend stores and loads,
 * and the blob store under the built-in ones. The implementation is `SnapshotBackend` (./backend.ts).
 */

import type { SnapshotError, StorageFailure } from './errors.js';
import type { CommitRecord } from './commit-record.js';
import type { Snapshot, SnapshotKind } from './snapshot.js';
import type { KeyGroupRange } from '../core/state-snapshot.js';

/**
 * The storage under a backend: named byte blobs, like idb-keyval. Implement it to add a backend
 * (e.g. over a server or OPFS) and wrap it with `createCheckpointBackend`.
 */
export interface BlobStore {
  /** The backend's name in errors: 'memory', 'files', 'indexeddb'... */
  readonly backend: string;
  /** The bytes stored under `key`, or undefined if there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * Writes the blobs in order. Each blob is replaced atomically (a reader sees the old or the new
   * bytes, never a mix), and a blob is durable before the next one is written. Stores that can
   * write all of them in one transaction (IndexedDB) should.
   */
  setMany(entries: readonly (readonly [key: string, bytes: Uint8Array])[]): Promise<void>;
  /** Deletes the blobs under `keys`, skipping keys that hold none; resolves once they are gone. */
  delMany(keys: readonly string[]): Promise<void>;
  /** Every key that holds a blob, in no particular order. */
  keys(): Promise<string[]>;
  /** Maps a platform error to a failure kind and a readable reason; unknown errors are 'io'. */
  classify?(error: unknown): { readonly failure: StorageFailure; readonly reason: string } | undefined;
  /** Releases what the store holds (a database connection, an owner lock); the backend's `close` calls it once. */
  close?(): Promise<void>;
}

/** What a backend knows about one stored snapshot, without reading it. */
export interface StoredSnapshotInfo {
  readonly checkpointId: number;
  readonly kind: SnapshotKind;
  readonly name?: string | undefined;
  readonly createdAt: number;
  /** For an incremental checkpoint, the checkpoint it builds on. */
  readonly parentCheckpointId?: number | undefined;
  /** How many incremental links separate it from a full snapshot (0: it is full). */
  readonly chainLength: number;
  readonly byteLength: number;
  /** CRC-32 of the stored bytes. */
  readonly checksum: number;
}

/** Which snapshot to load: a checkpoint id, a savepoint name, or (undefined) the latest. */
export type SnapshotSelector = number | { readonly checkpointId: number } | { readonly name: string };

/** Options of `CheckpointBackend.load`. */
export interface LoadOptions {
  /**
   * When the chosen snapshot cannot be loaded (corrupt, truncated, newer format), try the previous
   * retained one, and so on. Default: true when loading the latest, false for an explicit selector.
   */
  readonly fallback?: boolean;
  /** Told about every snapshot skipped by the fallback, with the error that refused it. */
  readonly onSkip?: (error: SnapshotError) => void;
  /**
   * Load only the keyed tables of these key groups (an inclusive range, docs/checkpoints.md §10):
   * the tables of the other groups are left out before they are decoded.
   */
  readonly keyGroups?: KeyGroupRange | undefined;
}

/** What the next checkpoint should be, so that restore never walks a chain longer than allowed. */
export type SnapshotPlan =
  | { readonly mode: 'full' }
  | { readonly mode: 'incremental'; readonly parentCheckpointId: number };

/** A place to store a pipeline's snapshots. Every method is safe to call concurrently (queued). */
export interface CheckpointBackend {
  readonly backend: string;
  readonly pipelineId: string;
  /** Why this backend cannot write (e.g. another tab owns the pipeline), or undefined when it can. */
  readonly readOnlyReason: string | undefined;
  /**
   * Stores a complete snapshot and then applies retention. Resolves once it is durable and listed;
   * rejects with `InvalidSnapshotError` or `StorageError`, leaving every previous snapshot intact.
   */
  save(snapshot: Snapshot): Promise<StoredSnapshotInfo>;
  /**
   * Loads a snapshot, always in full (incremental chains are resolved). Resolves undefined when
   * nothing is stored and no selector was given.
   */
  load(selector?: SnapshotSelector, options?: LoadOptions): Promise<Snapshot | undefined>;
  /** The stored snapshots, oldest first. */
  list(): Promise<StoredSnapshotInfo[]>;
  /** Deletes a checkpoint or savepoint. Refused while incremental checkpoints build on it. */
  delete(checkpointId: number): Promise<void>;
  /** Whether the next checkpoint should be full or incremental, and on which parent. */
  plan(): Promise<SnapshotPlan>;
  /**
   * The highest checkpoint id ever used and the highest whose output was committed, kept apart from
   * the snapshots and the manifest so that damage to them loses neither (see `CommitRecord`).
   */
  commitRecord(): Promise<CommitRecord>;
  /**
   * Durably records that the sinks are about to commit the output of `checkpointId`. The coordinator
   * calls it after `save` and before any sink commits; a restore that would fall back past this
   * checkpoint then fails with `CommittedCheckpointLostError` instead of committing results twice.
   */
  recordCommit(checkpointId: number): Promise<void>;
  /**
   * Waits for the queued operations, then releases the storage (and the owner lock of the file and
   * IndexedDB backends, so that another instance can write). Calling it again does nothing; any other
   * method called after it rejects with `StorageError` (`'closed'`).
   */
  close(): Promise<void>;
}

/** What every checkpoint backend is configured with: the pipeline, retention and incremental chains. */
export interface CheckpointBackendOptions {
  readonly pipelineId: string;
  /** How many checkpoints to keep (savepoints are never deleted by retention). Default 3. */
  readonly keep?: number;
  /**
   * The longest chain of incremental checkpoints: the next one after that is stored full. Default 4
   * (a restore reads at most one full snapshot and 4 deltas). 0 disables incremental storage.
   */
  readonly maxChainLength?: number;
  /** Open read-only: saves and deletes are refused with this reason. */
  readonly readOnly?: string;
}
