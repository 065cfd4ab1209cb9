/**
 * The backend interface (docs/architecture.md §4) and its one implementation over a tiny key-value blob store.
 * Memory, files and IndexedDB differ only in their blob store; format, checksums, retention,
 * incremental chains, fallback and errors live here once.
 *
 * Visibility: a snapshot is written first, the manifest that lists it last. The manifest is one blob,
 * replaced atomically, so a reader sees either the old list or the new one, never a half-written
 * checkpoint; a crash between the two leaves an unlisted blob that a later save removes.
 */
import { InvalidOptionError } from '../core/errors.js';
import { encodeEnvelope, storedChecksum } from './envelope.js';
import {
  CorruptSnapshotError,
  IncompatibleSnapshotError,
  InvalidSnapshotError,
  NoRestorableSnapshotError,
  type SnapshotError,
  SnapshotInUseError,
  SnapshotNotFoundError,
  StorageError,
} from './errors.js';
import { applyDeltas, isIncremental, keyGroupPruner, type Snapshot } from './snapshot.js';
import { blobKey, COMMIT_RECORD_KEY, encodeCommitRecord, SNAPSHOT_PREFIX, type CommitRecord } from './commit-record.js';
import type {
  BlobStore,
  CheckpointBackend,
  CheckpointBackendOptions,
  LoadOptions,
  SnapshotPlan,
  SnapshotSelector,
  StoredSnapshotInfo,
} from './backend-types.js';
import { MANIFEST_KEY, toInfo, type ManifestEntry } from './manifest.js';
import { PipelineBlobs } from './pipeline-blobs.js';
import { planNext, retain } from './retention.js';
import { checkPipelineId, validateSnapshot } from './snapshot-validation.js';
import { encodeSnapshot } from './snapshot-bytes.js';
import { positiveInteger } from '../core/options.js';

/**
 * Builds a backend over a blob store. The memory, file and IndexedDB backends are this plus their
 * store.
 *
 * @example
 * const backend = createCheckpointBackend(new MemoryBlobStore(), { pipelineId: 'orders', keep: 3 });
 * await backend.save(snapshot);
 * const restored = await backend.load();
 */
export function createCheckpointBackend(store: BlobStore, options: CheckpointBackendOptions): SnapshotBackend {
  return new SnapshotBackend(store, options);
}

/** The implementation behind every built-in backend. */
export class SnapshotBackend implements CheckpointBackend {
  declare readonly backend: string;
  declare readonly pipelineId: string;
  declare readonly keep: number;
  declare readonly maxChainLength: number;
  #readOnly: string | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #cleaned = false;
  #closed = false;
  /**
   * The manifest as last written by this backend. Kept only after a successful write by a writable
   * backend: it then owns the storage (Web Lock, or the directory's owner lock), so the stored
   * manifest cannot change under it. Dropped after any failed write, whose outcome is uncertain.
   */
  #cached: ManifestEntry[] | undefined;
  /** The commit record as last written by this backend (kept under the same rule as `cached`). */
  #cachedRecord: CommitRecord | undefined;
  readonly #blobs: PipelineBlobs;

  readonly #store: BlobStore;

  constructor(store: BlobStore, options: CheckpointBackendOptions) {
    this.#store = store;
    checkPipelineId(options.pipelineId);
    const keep = positiveInteger('keep', options.keep ?? 3);
    const maxChainLength = options.maxChainLength ?? 4;
    if (!Number.isSafeInteger(maxChainLength) || maxChainLength < 0) {
      throw new InvalidOptionError('maxChainLength', maxChainLength, 'must be an integer >= 0');
    }
    this.backend = store.backend;
    this.#blobs = new PipelineBlobs(store, options.pipelineId);
    this.pipelineId = options.pipelineId;
    this.keep = keep;
    this.maxChainLength = maxChainLength;
    this.#readOnly = options.readOnly;
  }

  get readOnlyReason(): string | undefined {
    return this.#readOnly;
  }

  /** Makes the backend read-only from now on (e.g. when another tab took the pipeline's lock). */
  markReadOnly(reason: string): void {
    this.#readOnly ??= reason;
  }

  save(snapshot: Snapshot): Promise<StoredSnapshotInfo> {
    return this.#queue(() => this.#doSave(snapshot));
  }

  load(selector?: SnapshotSelector, options: LoadOptions = {}): Promise<Snapshot | undefined> {
    return this.#queue(() => this.#doLoad(selector, options));
  }

  list(): Promise<StoredSnapshotInfo[]> {
    return this.#queue(async () => (await this.#readManifest()).map(toInfo));
  }

  delete(checkpointId: number): Promise<void> {
    return this.#queue(() => this.#doDelete(checkpointId));
  }

  plan(): Promise<SnapshotPlan> {
    return this.#queue(async () => planNext(await this.#readManifest(), this.maxChainLength));
  }

  commitRecord(): Promise<CommitRecord> {
    return this.#queue(() => this.#readCommitRecord());
  }

  recordCommit(checkpointId: number): Promise<void> {
    return this.#queue(async () => {
      this.#checkWritable(checkpointId);
      const record = await this.#readCommitRecord();
      const next: CommitRecord = {
        highestCheckpointId: Math.max(record.highestCheckpointId, checkpointId),
        committedCheckpointId: Math.max(record.committedCheckpointId, checkpointId),
      };
      this.#cachedRecord = undefined;
      await this.#blobs.io(
        () => this.#store.setMany([[COMMIT_RECORD_KEY, encodeCommitRecord(this.pipelineId, next)]]),
        checkpointId,
      );
      if (this.#readOnly === undefined) this.#cachedRecord = next;
    });
  }

  /** Waits for queued work, then releases the store (and its lock). Calling it again does nothing. */
  close(): Promise<void> {
    const run = this.#tail.then(async () => {
      if (this.#closed) return;
      this.#closed = true;
      await this.#store.close?.();
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  // -------------------------------------------------------------------------------------------

  #queue<R>(op: () => Promise<R>): Promise<R> {
    const run = this.#tail.then(() => {
      if (this.#closed) throw new StorageError('closed', this.#blobs.ref(), 'the backend was closed');
      return op();
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #checkWritable(checkpointId?: number): void {
    if (this.#readOnly !== undefined)
      throw new StorageError('not-owner', this.#blobs.ref(checkpointId), `read-only: ${this.#readOnly}`);
  }

  async #doSave(input: Snapshot): Promise<StoredSnapshotInfo> {
    const id = input.checkpointId;
    this.#checkWritable(id);
    const invalid = (reason: string, path?: string): never => {
      throw new InvalidSnapshotError(this.#blobs.ref(Number.isSafeInteger(id) ? id : undefined), reason, path);
    };
    validateSnapshot(input, this.pipelineId, invalid);
    const manifest = await this.#readManifest();
    if (manifest.some((e) => e.checkpointId === id)) invalid(`checkpoint id ${id} is already stored`);
    if (input.kind === 'savepoint' && manifest.some((e) => e.name === input.name)) {
      invalid(`a savepoint named ${JSON.stringify(input.name)} is already stored`);
    }

    let snapshot = input;
    let parent: ManifestEntry | undefined;
    if (isIncremental(input)) {
      const parentId = input.parentCheckpointId;
      if (parentId === undefined) return invalid('a snapshot with delta keyed tables needs parentCheckpointId');
      parent = manifest.find((e) => e.checkpointId === parentId);
      if (parent === undefined)
        return invalid(`its parent checkpoint ${parentId} is not stored (store this one in full)`);
      if (parent.checkpointId >= id) invalid(`its parent checkpoint ${parentId} is not older than it`);
      // Savepoints stand alone; a chain at its bound is cut here so restore stays bounded even when
      // the caller did not ask plan() first.
      if (input.kind === 'savepoint' || parent.chainLength + 1 > this.maxChainLength) {
        snapshot = applyDeltas(await this.#blobs.materialize(parent, manifest), [input]);
        parent = undefined;
      }
    } else if (input.parentCheckpointId !== undefined) {
      const { parentCheckpointId: _unused, ...rest } = input;
      snapshot = rest;
    }

    const bytes = encodeSnapshot(snapshot, invalid);
    const entry: ManifestEntry = {
      checkpointId: id,
      kind: snapshot.kind,
      ...(snapshot.name !== undefined ? { name: snapshot.name } : {}),
      createdAt: snapshot.createdAt,
      ...(parent !== undefined ? { parentCheckpointId: parent.checkpointId } : {}),
      chainLength: parent !== undefined ? parent.chainLength + 1 : 0,
      byteLength: bytes.length,
      checksum: storedChecksum(bytes),
    };
    const next = [...manifest, entry].sort((a, b) => a.checkpointId - b.checkpointId);
    const retained = retain(next, this.keep);
    const removed = next.filter((e) => !retained.includes(e));
    const manifestBytes = encodeEnvelope({ type: 'manifest', pipelineId: this.pipelineId }, { entries: retained });
    // The commit record goes with the snapshot, before the manifest that makes it visible: an id
    // once stored is never handed out again, whatever happens to the snapshot or the manifest.
    const record = await this.#readCommitRecord();
    const nextRecord: CommitRecord = { ...record, highestCheckpointId: Math.max(record.highestCheckpointId, id) };
    this.#cachedRecord = undefined;
    await this.#write(
      [
        [blobKey(id), bytes],
        [COMMIT_RECORD_KEY, encodeCommitRecord(this.pipelineId, nextRecord)],
        [MANIFEST_KEY, manifestBytes],
      ],
      retained,
      id,
    );
    if (this.#readOnly === undefined) this.#cachedRecord = nextRecord;
    // The new manifest no longer lists what retention removed; deleting the blobs can fail without
    // harm (the first save of the next backend opened on this storage removes unlisted blobs), so
    // that failure does not fail the save.
    const garbage = removed.map((e) => blobKey(e.checkpointId));
    if (!this.#cleaned) {
      this.#cleaned = true;
      const listed = new Set(retained.map((e) => blobKey(e.checkpointId)));
      const keys = await this.#store.keys().catch(() => [] as string[]);
      for (const key of keys)
        if (key.startsWith(SNAPSHOT_PREFIX) && !listed.has(key) && !garbage.includes(key)) garbage.push(key);
    }
    if (garbage.length > 0) await this.#store.delMany(garbage).catch(() => undefined);
    return toInfo(entry);
  }

  async #doLoad(
    selector: SnapshotSelector | undefined,
    options: LoadOptions,
    attempt = 0,
  ): Promise<Snapshot | undefined> {
    const manifest = await this.#readManifest();
    let candidates: ManifestEntry[];
    if (selector === undefined) {
      if (manifest.length === 0) return undefined;
      candidates = [...manifest].reverse();
    } else {
      // A bare number is a checkpoint id: one shape from here on.
      const wanted = typeof selector === 'number' ? { checkpointId: selector } : selector;
      const index = manifest.findIndex((e) =>
        'name' in wanted ? e.name === wanted.name : e.checkpointId === wanted.checkpointId,
      );
      if (index < 0) {
        const what =
          'name' in wanted ? `savepoint ${JSON.stringify(wanted.name)}` : `checkpoint ${wanted.checkpointId}`;
        const stored = manifest.map((e) =>
          e.name !== undefined ? `${e.checkpointId} (${JSON.stringify(e.name)})` : String(e.checkpointId),
        );
        throw new SnapshotNotFoundError(
          this.#blobs.ref(),
          `${what} is not stored (stored: ${stored.join(', ') || 'none'})`,
        );
      }
      candidates = manifest.slice(0, index + 1).reverse();
    }
    const fallback = options.fallback ?? selector === undefined;
    const failures: SnapshotError[] = [];
    for (const entry of fallback ? candidates : candidates.slice(0, 1)) {
      try {
        return await this.#blobs.materialize(
          entry,
          manifest,
          options.keyGroups === undefined ? undefined : keyGroupPruner(options.keyGroups),
        );
      } catch (error) {
        if (!(error instanceof CorruptSnapshotError || error instanceof IncompatibleSnapshotError)) throw error;
        // A read-only backend (another tab owns the pipeline) reads while the owner writes: the
        // owner's retention may delete a snapshot between our reading the manifest and its data.
        // If it is no longer listed, it vanished, it was not damaged: start over from the new list.
        if (this.#readOnly !== undefined && attempt < 3 && error instanceof CorruptSnapshotError) {
          const now = await this.#readManifest();
          if (!now.some((e) => e.checkpointId === entry.checkpointId))
            return this.#doLoad(selector, options, attempt + 1);
        }
        if (!fallback) throw error;
        failures.push(error);
        options.onSkip?.(error);
      }
    }
    throw new NoRestorableSnapshotError(this.#blobs.ref(), failures);
  }

  async #doDelete(checkpointId: number): Promise<void> {
    this.#checkWritable(checkpointId);
    const manifest = await this.#readManifest();
    const entry = manifest.find((e) => e.checkpointId === checkpointId);
    if (entry === undefined) throw new SnapshotNotFoundError(this.#blobs.ref(checkpointId), 'it is not stored');
    const dependents = manifest.filter((e) => e.parentCheckpointId === checkpointId).map((e) => e.checkpointId);
    if (dependents.length > 0) throw new SnapshotInUseError(this.#blobs.ref(checkpointId), dependents);
    const rest = manifest.filter((e) => e !== entry);
    const manifestBytes = encodeEnvelope({ type: 'manifest', pipelineId: this.pipelineId }, { entries: rest });
    await this.#write([[MANIFEST_KEY, manifestBytes]], rest, checkpointId);
    await this.#store.delMany([blobKey(checkpointId)]).catch(() => undefined);
  }

  async #write(
    entries: readonly (readonly [string, Uint8Array])[],
    manifest: ManifestEntry[],
    id: number,
  ): Promise<void> {
    this.#cached = undefined;
    await this.#blobs.io(() => this.#store.setMany(entries), id);
    if (this.#readOnly === undefined) this.#cached = manifest;
  }

  async #readCommitRecord(): Promise<CommitRecord> {
    if (this.#cachedRecord !== undefined && this.#readOnly === undefined) return this.#cachedRecord;
    return this.#blobs.readCommitRecord();
  }

  /**
   * The list of complete snapshots. A missing or corrupt manifest is rebuilt from the snapshots'
   * own headers, so a damaged manifest loses nothing; a manifest of a newer format is refused
   * (and never overwritten by this version).
   */
  async #readManifest(): Promise<ManifestEntry[]> {
    if (this.#cached !== undefined && this.#readOnly === undefined) return [...this.#cached];
    // Not cached on read: until its first write succeeds, this backend may not own the storage yet
    // (the file backend takes its lock on the first write), and another writer may still be at work.
    return this.#blobs.readStoredManifest();
  }
}
