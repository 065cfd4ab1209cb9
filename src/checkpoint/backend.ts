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
import { encodeEnvelope, EnvelopeError, openEnvelope, storedChecksum, type OpenedEnvelope } from './codec.js';
import {
  CorruptSnapshotError, IncompatibleSnapshotError, InvalidSnapshotError, NoRestorableSnapshotError, SnapshotError,
  SnapshotInUseError, SnapshotNotFoundError, StorageError, UnsupportedValueError,
  type SnapshotRef, type StorageFailure,
} from './errors.js';
import { applyDelta, applyDeltas, isIncremental, SNAPSHOT_FORMAT_VERSION, type Snapshot, type SnapshotKind } from './snapshot.js';
import {
  blobKey, COMMIT_RECORD_KEY, decodeCommitRecord, encodeCommitRecord, reconcileCommitRecord, SNAPSHOT_PREFIX, type CommitRecord,
} from './commit-record.js';

/**
 * The storage under a backend: named byte blobs, like idb-keyval. Implement it to add a backend
 * (e.g. over a server or OPFS) and wrap it with `createCheckpointBackend`.
 */
export interface BlobStore {
  /** The backend's name in errors: 'memory', 'files', 'indexeddb'... */
  readonly backend: string;
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * Writes the blobs in order. Each blob is replaced atomically (a reader sees the old or the new
   * bytes, never a mix), and a blob is durable before the next one is written. Stores that can
   * write all of them in one transaction (IndexedDB) should.
   */
  setMany(entries: readonly (readonly [key: string, bytes: Uint8Array])[]): Promise<void>;
  delMany(keys: readonly string[]): Promise<void>;
  keys(): Promise<string[]>;
  /** Maps a platform error to a failure kind and a readable reason; unknown errors are 'io'. */
  classify?(error: unknown): { readonly failure: StorageFailure; readonly reason: string } | undefined;
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

const MANIFEST_KEY = 'manifest';

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
  readonly backend: string;
  readonly pipelineId: string;
  readonly keep: number;
  readonly maxChainLength: number;
  private readOnly: string | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private cleaned = false;
  private closed = false;
  /**
   * The manifest as last written by this backend. Kept only after a successful write by a writable
   * backend: it then owns the storage (Web Lock, or the directory's owner lock), so the stored
   * manifest cannot change under it. Dropped after any failed write, whose outcome is uncertain.
   */
  private cached: ManifestEntry[] | undefined;
  /** The commit record as last written by this backend (kept under the same rule as `cached`). */
  private cachedRecord: CommitRecord | undefined;

  constructor(private readonly store: BlobStore, options: CheckpointBackendOptions) {
    checkPipelineId(options.pipelineId);
    const keep = options.keep ?? 3;
    if (!Number.isSafeInteger(keep) || keep < 1) throw new InvalidOptionError('keep', keep, 'must be an integer >= 1');
    const maxChainLength = options.maxChainLength ?? 4;
    if (!Number.isSafeInteger(maxChainLength) || maxChainLength < 0) {
      throw new InvalidOptionError('maxChainLength', maxChainLength, 'must be an integer >= 0');
    }
    this.backend = store.backend;
    this.pipelineId = options.pipelineId;
    this.keep = keep;
    this.maxChainLength = maxChainLength;
    this.readOnly = options.readOnly;
  }

  get readOnlyReason(): string | undefined {
    return this.readOnly;
  }

  /** Makes the backend read-only from now on (e.g. when another tab took the pipeline's lock). */
  markReadOnly(reason: string): void {
    this.readOnly ??= reason;
  }

  save(snapshot: Snapshot): Promise<StoredSnapshotInfo> {
    return this.queue(() => this.doSave(snapshot));
  }

  load(selector?: SnapshotSelector, options: LoadOptions = {}): Promise<Snapshot | undefined> {
    return this.queue(() => this.doLoad(selector, options));
  }

  list(): Promise<StoredSnapshotInfo[]> {
    return this.queue(async () => (await this.readManifest()).map(toInfo));
  }

  delete(checkpointId: number): Promise<void> {
    return this.queue(() => this.doDelete(checkpointId));
  }

  plan(): Promise<SnapshotPlan> {
    return this.queue(async () => planNext(await this.readManifest(), this.maxChainLength));
  }

  commitRecord(): Promise<CommitRecord> {
    return this.queue(() => this.readCommitRecord());
  }

  recordCommit(checkpointId: number): Promise<void> {
    return this.queue(async () => {
      this.checkWritable(checkpointId);
      const record = await this.readCommitRecord();
      const next: CommitRecord = {
        highestCheckpointId: Math.max(record.highestCheckpointId, checkpointId),
        committedCheckpointId: Math.max(record.committedCheckpointId, checkpointId),
      };
      this.cachedRecord = undefined;
      await this.io(() => this.store.setMany([[COMMIT_RECORD_KEY, encodeCommitRecord(this.pipelineId, next)]]), checkpointId);
      if (this.readOnly === undefined) this.cachedRecord = next;
    });
  }

  /** Waits for queued work, then releases the store (and its lock). Calling it again does nothing. */
  close(): Promise<void> {
    const run = this.tail.then(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.store.close?.();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  // -------------------------------------------------------------------------------------------

  private queue<R>(op: () => Promise<R>): Promise<R> {
    const run = this.tail.then(() => {
      if (this.closed) throw new StorageError('closed', this.ref(), 'the backend was closed');
      return op();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private ref(checkpointId?: number): SnapshotRef {
    return { pipelineId: this.pipelineId, checkpointId, backend: this.backend };
  }

  /** The ref of a damaged blob: a snapshot's (with its id), or the manifest's (id undefined). */
  private blobRef(checkpointId: number | undefined): SnapshotRef {
    return { ...this.ref(checkpointId), blob: checkpointId === undefined ? MANIFEST_KEY : blobKey(checkpointId) };
  }

  private storageError(error: unknown, checkpointId?: number): SnapshotError {
    if (error instanceof SnapshotError) return error;
    const classified = this.store.classify?.(error);
    const reason = classified?.reason ?? (error instanceof Error ? error.message : String(error));
    return new StorageError(classified?.failure ?? 'io', this.ref(checkpointId), reason, { cause: error });
  }

  private async io<R>(op: () => Promise<R>, checkpointId?: number): Promise<R> {
    try {
      return await op();
    } catch (error) {
      throw this.storageError(error, checkpointId);
    }
  }

  private checkWritable(checkpointId?: number): void {
    if (this.readOnly !== undefined) throw new StorageError('not-owner', this.ref(checkpointId), `read-only: ${this.readOnly}`);
  }

  private async doSave(input: Snapshot): Promise<StoredSnapshotInfo> {
    const id = input.checkpointId;
    this.checkWritable(id);
    const invalid = (reason: string, path?: string): never => {
      throw new InvalidSnapshotError(this.ref(Number.isSafeInteger(id) ? id : undefined), reason, path);
    };
    validateSnapshot(input, this.pipelineId, invalid);
    const manifest = await this.readManifest();
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
      if (parent === undefined) return invalid(`its parent checkpoint ${parentId} is not stored (store this one in full)`);
      if (parent.checkpointId >= id) invalid(`its parent checkpoint ${parentId} is not older than it`);
      // Savepoints stand alone; a chain at its bound is cut here so restore stays bounded even when
      // the caller did not ask plan() first.
      if (input.kind === 'savepoint' || parent.chainLength + 1 > this.maxChainLength) {
        snapshot = applyDelta(await this.materialize(parent, manifest), input);
        parent = undefined;
      }
    } else if (input.parentCheckpointId !== undefined) {
      const { parentCheckpointId: _unused, ...rest } = input;
      snapshot = rest;
    }

    let bytes: Uint8Array;
    try {
      bytes = encodeEnvelope(headerOf(snapshot), snapshot, { columns: true });
    } catch (error) {
      if (error instanceof UnsupportedValueError) return invalid(`it holds ${error.what}, which is not plain data`, error.path);
      throw error;
    }
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
    const record = await this.readCommitRecord();
    const nextRecord: CommitRecord = { ...record, highestCheckpointId: Math.max(record.highestCheckpointId, id) };
    this.cachedRecord = undefined;
    await this.write([[blobKey(id), bytes], [COMMIT_RECORD_KEY, encodeCommitRecord(this.pipelineId, nextRecord)], [MANIFEST_KEY, manifestBytes]], retained, id);
    if (this.readOnly === undefined) this.cachedRecord = nextRecord;
    // The new manifest no longer lists what retention removed; deleting the blobs can fail without
    // harm (the first save of the next backend opened on this storage removes unlisted blobs), so
    // that failure does not fail the save.
    const garbage = removed.map((e) => blobKey(e.checkpointId));
    if (!this.cleaned) {
      this.cleaned = true;
      const listed = new Set(retained.map((e) => blobKey(e.checkpointId)));
      const keys = await this.store.keys().catch(() => [] as string[]);
      for (const key of keys) if (key.startsWith(SNAPSHOT_PREFIX) && !listed.has(key) && !garbage.includes(key)) garbage.push(key);
    }
    if (garbage.length > 0) await this.store.delMany(garbage).catch(() => undefined);
    return toInfo(entry);
  }

  private async doLoad(selector: SnapshotSelector | undefined, options: LoadOptions, attempt = 0): Promise<Snapshot | undefined> {
    const manifest = await this.readManifest();
    let candidates: ManifestEntry[];
    if (selector === undefined) {
      if (manifest.length === 0) return undefined;
      candidates = [...manifest].reverse();
    } else {
      const index = manifest.findIndex((e) =>
        typeof selector === 'number' ? e.checkpointId === selector : 'name' in selector ? e.name === selector.name : e.checkpointId === selector.checkpointId,
      );
      if (index < 0) {
        const what = typeof selector === 'number' ? `checkpoint ${selector}` : 'name' in selector ? `savepoint ${JSON.stringify(selector.name)}` : `checkpoint ${selector.checkpointId}`;
        const stored = manifest.map((e) => (e.name !== undefined ? `${e.checkpointId} (${JSON.stringify(e.name)})` : String(e.checkpointId)));
        throw new SnapshotNotFoundError(this.ref(), `${what} is not stored (stored: ${stored.join(', ') || 'none'})`);
      }
      candidates = manifest.slice(0, index + 1).reverse();
    }
    const fallback = options.fallback ?? selector === undefined;
    const failures: SnapshotError[] = [];
    for (const entry of fallback ? candidates : candidates.slice(0, 1)) {
      try {
        return await this.materialize(entry, manifest);
      } catch (error) {
        if (!(error instanceof CorruptSnapshotError || error instanceof IncompatibleSnapshotError)) throw error;
        // A read-only backend (another tab owns the pipeline) reads while the owner writes: the
        // owner's retention may delete a snapshot between our reading the manifest and its data.
        // If it is no longer listed, it vanished, it was not damaged: start over from the new list.
        if (this.readOnly !== undefined && attempt < 3 && error instanceof CorruptSnapshotError) {
          const now = await this.readManifest();
          if (!now.some((e) => e.checkpointId === entry.checkpointId)) return this.doLoad(selector, options, attempt + 1);
        }
        if (!fallback) throw error;
        failures.push(error);
        options.onSkip?.(error);
      }
    }
    throw new NoRestorableSnapshotError(this.ref(), failures);
  }

  private async doDelete(checkpointId: number): Promise<void> {
    this.checkWritable(checkpointId);
    const manifest = await this.readManifest();
    const entry = manifest.find((e) => e.checkpointId === checkpointId);
    if (entry === undefined) throw new SnapshotNotFoundError(this.ref(checkpointId), 'it is not stored');
    const dependents = manifest.filter((e) => e.parentCheckpointId === checkpointId).map((e) => e.checkpointId);
    if (dependents.length > 0) throw new SnapshotInUseError(this.ref(checkpointId), dependents);
    const rest = manifest.filter((e) => e !== entry);
    const manifestBytes = encodeEnvelope({ type: 'manifest', pipelineId: this.pipelineId }, { entries: rest });
    await this.write([[MANIFEST_KEY, manifestBytes]], rest, checkpointId);
    await this.store.delMany([blobKey(checkpointId)]).catch(() => undefined);
  }

  private async write(entries: readonly (readonly [string, Uint8Array])[], manifest: ManifestEntry[], id: number): Promise<void> {
    this.cached = undefined;
    await this.io(() => this.store.setMany(entries), id);
    if (this.readOnly === undefined) this.cached = manifest;
  }

  /** Reads a snapshot and, for an incremental one, its chain down to the full base. */
  private async materialize(entry: ManifestEntry, manifest: readonly ManifestEntry[]): Promise<Snapshot> {
    const chain: ManifestEntry[] = [entry];
    for (let e = entry; e.parentCheckpointId !== undefined; ) {
      const parentId = e.parentCheckpointId;
      const parent = manifest.find((p) => p.checkpointId === parentId);
      if (parent === undefined) {
        throw new CorruptSnapshotError(this.ref(entry.checkpointId), `its parent checkpoint ${parentId} is missing`);
      }
      if (chain.length > manifest.length) throw new CorruptSnapshotError(this.ref(entry.checkpointId), 'its chain of parents is cyclic');
      chain.push(parent);
      e = parent;
    }
    const parts: Snapshot[] = [];
    for (let i = chain.length - 1; i >= 0; i--) {
      const link = chain[i]!;
      try {
        parts.push(await this.readSnapshot(link));
      } catch (error) {
        if (link === entry || !(error instanceof SnapshotError)) throw error;
        const ref = { ...this.ref(entry.checkpointId), blob: blobKey(link.checkpointId) };
        throw new CorruptSnapshotError(ref, `its parent checkpoint ${link.checkpointId} cannot be read (${error.reason})`, { cause: error });
      }
    }
    return applyDeltas(parts[0]!, parts.slice(1));
  }

  private async readSnapshot(entry: ManifestEntry): Promise<Snapshot> {
    const id = entry.checkpointId;
    const bytes = await this.io(() => this.store.get(blobKey(id)), id);
    if (bytes === undefined) throw new CorruptSnapshotError(this.blobRef(id), 'its data is missing from the store');
    const envelope = this.open(bytes, id);
    const header = envelope.header;
    if (header.type !== 'snapshot' || header.checkpointId !== id || header.pipelineId !== this.pipelineId) {
      throw new CorruptSnapshotError(
        this.blobRef(id),
        `the stored data holds ${String(header.type)} ${String(header.checkpointId)} of pipeline ${JSON.stringify(header.pipelineId)}`,
      );
    }
    let body: unknown;
    try {
      body = envelope.body();
    } catch (error) {
      throw this.envelopeError(error, id);
    }
    const problem = shapeProblem(body);
    if (problem !== undefined) throw new CorruptSnapshotError(this.blobRef(id), problem);
    return { ...(body as Snapshot), formatVersion: envelope.formatVersion };
  }

  private open(bytes: Uint8Array, id: number | undefined): OpenedEnvelope {
    try {
      return openEnvelope(bytes);
    } catch (error) {
      throw this.envelopeError(error, id);
    }
  }

  private envelopeError(error: unknown, id: number | undefined): unknown {
    if (!(error instanceof EnvelopeError)) return error;
    const p = error.problem;
    return p.kind === 'incompatible'
      ? new IncompatibleSnapshotError(this.blobRef(id), p.version, SNAPSHOT_FORMAT_VERSION)
      : new CorruptSnapshotError(this.blobRef(id), p.reason, p.cause === undefined ? undefined : { cause: p.cause });
  }

  private async readCommitRecord(): Promise<CommitRecord> {
    if (this.cachedRecord !== undefined && this.readOnly === undefined) return this.cachedRecord;
    const bytes = await this.io(() => this.store.get(COMMIT_RECORD_KEY));
    const keys = await this.io(() => this.store.keys());
    return reconcileCommitRecord(bytes === undefined ? undefined : decodeCommitRecord(bytes, this.pipelineId), keys);
  }

  /**
   * The list of complete snapshots. A missing or corrupt manifest is rebuilt from the snapshots'
   * own headers, so a damaged manifest loses nothing; a manifest of a newer format is refused
   * (and never overwritten by this version).
   */
  private async readManifest(): Promise<ManifestEntry[]> {
    if (this.cached !== undefined && this.readOnly === undefined) return [...this.cached];
    // Not cached on read: until its first write succeeds, this backend may not own the storage yet
    // (the file backend takes its lock on the first write), and another writer may still be at work.
    return this.readStoredManifest();
  }

  private async readStoredManifest(): Promise<ManifestEntry[]> {
    const bytes = await this.io(() => this.store.get(MANIFEST_KEY));
    if (bytes !== undefined) {
      try {
        const envelope = this.open(bytes, undefined);
        const body = envelope.body() as { entries?: unknown };
        if (envelope.header.type !== 'manifest' || !Array.isArray(body.entries)) {
          throw new CorruptSnapshotError(this.blobRef(undefined), 'the manifest has no list of entries');
        }
        return body.entries as ManifestEntry[];
      } catch (error) {
        if (error instanceof IncompatibleSnapshotError) throw error;
        if (!(error instanceof CorruptSnapshotError || error instanceof EnvelopeError)) throw error;
      }
    }
    return this.rebuildManifest();
  }

  private async rebuildManifest(): Promise<ManifestEntry[]> {
    const keys = (await this.io(() => this.store.keys())).filter((k) => k.startsWith(SNAPSHOT_PREFIX));
    const entries: ManifestEntry[] = [];
    for (const key of keys) {
      const bytes = await this.io(() => this.store.get(key));
      if (bytes === undefined) continue;
      let envelope: OpenedEnvelope;
      try {
        envelope = openEnvelope(bytes);
      } catch {
        continue; // A damaged snapshot cannot be listed; it would fail to load anyway.
      }
      const h = envelope.header;
      if (h.type !== 'snapshot' || typeof h.checkpointId !== 'number' || `${SNAPSHOT_PREFIX}${h.checkpointId}` !== key) continue;
      entries.push({
        checkpointId: h.checkpointId,
        kind: h.kind === 'savepoint' ? 'savepoint' : 'checkpoint',
        ...(typeof h.name === 'string' ? { name: h.name } : {}),
        createdAt: typeof h.createdAt === 'number' ? h.createdAt : NaN,
        ...(typeof h.parentCheckpointId === 'number' ? { parentCheckpointId: h.parentCheckpointId } : {}),
        chainLength: 0,
        byteLength: envelope.byteLength,
        checksum: envelope.checksum,
      });
    }
    entries.sort((a, b) => a.checkpointId - b.checkpointId);
    for (const e of entries) {
      const parent = entries.find((p) => p.checkpointId === e.parentCheckpointId);
      (e as { chainLength: number }).chainLength = parent === undefined ? 0 : parent.chainLength + 1;
    }
    return entries;
  }
}

interface ManifestEntry extends StoredSnapshotInfo {}

function toInfo(e: ManifestEntry): StoredSnapshotInfo {
  return { ...e };
}

function headerOf(s: Snapshot): Record<string, unknown> {
  return {
    type: 'snapshot',
    pipelineId: s.pipelineId,
    checkpointId: s.checkpointId,
    kind: s.kind,
    ...(s.name !== undefined ? { name: s.name } : {}),
    createdAt: s.createdAt,
    ...(s.parentCheckpointId !== undefined ? { parentCheckpointId: s.parentCheckpointId } : {}),
  };
}

/**
 * Retention: the newest `keep` checkpoints, every savepoint, and every checkpoint a retained
 * incremental checkpoint builds on (at most maxChainLength more). Savepoints do not count towards
 * `keep` (Flink's FLINK-6328: a retained savepoint must never leave zero retained checkpoints);
 * `keep` is Flink's `state.checkpoints.num-retained`, with a default of 3 instead of 1 so that a
 * damaged latest checkpoint still leaves something to fall back to.
 */
function retain(entries: readonly ManifestEntry[], keep: number): ManifestEntry[] {
  const checkpoints = entries.filter((e) => e.kind === 'checkpoint');
  const kept = new Set<number>(checkpoints.slice(-keep).map((e) => e.checkpointId));
  for (const e of entries) if (e.kind === 'savepoint') kept.add(e.checkpointId);
  const byId = new Map(entries.map((e) => [e.checkpointId, e]));
  for (const id of [...kept]) {
    for (let e = byId.get(id); e?.parentCheckpointId !== undefined; e = byId.get(e.parentCheckpointId)) kept.add(e.parentCheckpointId);
  }
  return entries.filter((e) => kept.has(e.checkpointId));
}

function planNext(manifest: readonly ManifestEntry[], maxChainLength: number): SnapshotPlan {
  const latest = manifest[manifest.length - 1];
  if (latest === undefined || latest.chainLength + 1 > maxChainLength) return { mode: 'full' };
  return { mode: 'incremental', parentCheckpointId: latest.checkpointId };
}

function checkPipelineId(pipelineId: unknown): void {
  if (typeof pipelineId !== 'string' || pipelineId.length === 0 || pipelineId.length > 200) {
    throw new InvalidOptionError('pipelineId', pipelineId, 'must be a non-empty string of at most 200 characters');
  }
}

function validateSnapshot(s: Snapshot, pipelineId: string, invalid: (reason: string, path?: string) => never): void {
  if (typeof s !== 'object' || s === null) invalid('a snapshot must be an object');
  if (s.formatVersion !== SNAPSHOT_FORMAT_VERSION) {
    invalid(`formatVersion must be SNAPSHOT_FORMAT_VERSION (${SNAPSHOT_FORMAT_VERSION}), got ${String(s.formatVersion)}`);
  }
  if (s.pipelineId !== pipelineId) invalid(`it belongs to pipeline ${JSON.stringify(s.pipelineId)}, not to this backend's`);
  if (!Number.isSafeInteger(s.checkpointId) || s.checkpointId < 0) invalid(`checkpointId must be a safe integer >= 0, got ${String(s.checkpointId)}`);
  if (s.kind !== 'checkpoint' && s.kind !== 'savepoint') invalid(`kind must be 'checkpoint' or 'savepoint', got ${String(s.kind)}`);
  if (s.kind === 'savepoint' && (typeof s.name !== 'string' || s.name.length === 0)) invalid('a savepoint needs a non-empty name');
  if (s.name !== undefined && typeof s.name !== 'string') invalid('name must be a string');
  if (typeof s.createdAt !== 'number' || !Number.isFinite(s.createdAt)) invalid(`createdAt must be a finite number, got ${String(s.createdAt)}`);
  const problem = shapeProblem(s);
  if (problem !== undefined) invalid(problem);
}

/** Checks the structure that restore relies on; values inside `state` are the operators' business. */
function shapeProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the snapshot is not an object';
  const s = body as Record<string, unknown>;
  for (const field of ['operators', 'sources', 'watermarks']) {
    const v = s[field];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${field} must be an object`;
  }
  const operators = s.operators as Record<string, unknown>;
  for (const uid of Object.keys(operators)) {
    const op = operators[uid] as Record<string, unknown> | null;
    const where = `operators[${JSON.stringify(uid)}]`;
    if (typeof op !== 'object' || op === null) return `${where} must be an object`;
    if (!Number.isSafeInteger(op.stateVersion) || (op.stateVersion as number) < 0) return `${where}.stateVersion must be an integer >= 0`;
    if (op.keyed === undefined) continue;
    if (typeof op.keyed !== 'object' || op.keyed === null) return `${where}.keyed must be an object`;
    const keyed = op.keyed as Record<string, Record<string, unknown>>;
    for (const name of Object.keys(keyed)) {
      const t = keyed[name];
      const at = `${where}.keyed[${JSON.stringify(name)}]`;
      if (typeof t !== 'object' || t === null) return `${at} must be an object`;
      if (t.kind !== 'full' && t.kind !== 'delta') return `${at}.kind must be 'full' or 'delta'`;
      if (!Array.isArray(t.keys) || !Array.isArray(t.values)) return `${at} needs keys and values arrays`;
      if (t.keys.length !== t.values.length) return `${at} has ${t.keys.length} keys but ${t.values.length} values`;
      if (t.kind === 'delta' && !Array.isArray(t.deletes)) return `${at} (a delta) needs a deletes array`;
    }
  }
  const watermarks = s.watermarks as Record<string, unknown>;
  for (const id of Object.keys(watermarks)) {
    if (typeof watermarks[id] !== 'number') return `watermarks[${JSON.stringify(id)}] must be a number`;
  }
  return undefined;
}

/**
 * The bytes a backend stores for a full snapshot: the same format everywhere, so a savepoint can
 * move between backends and platforms (downloaded from a browser, loaded by a Node process).
 * Throws `InvalidSnapshotError` (backend 'bytes') for a snapshot that cannot be stored, including
 * an incremental one: load it from its backend first, which resolves its chain.
 *
 * @example
 * const savepoint = await browserBackend.load({ name: 'before-upgrade' });
 * const bytes = exportSnapshot(savepoint!); // offer as a download, send to a server...
 * await fileBackend({ directory, pipelineId: savepoint!.pipelineId }).save(importSnapshot(bytes));
 */
export function exportSnapshot(snapshot: Snapshot): Uint8Array {
  const ref = (): SnapshotRef => ({
    pipelineId: String(snapshot?.pipelineId),
    checkpointId: Number.isSafeInteger(snapshot?.checkpointId) ? snapshot.checkpointId : undefined,
    backend: 'bytes',
  });
  const invalid = (reason: string, path?: string): never => {
    throw new InvalidSnapshotError(ref(), reason, path);
  };
  validateSnapshot(snapshot, snapshot?.pipelineId, invalid);
  if (isIncremental(snapshot)) invalid('it is incremental; export the full snapshot that load() returns');
  const { parentCheckpointId: _unused, ...full } = snapshot;
  try {
    return encodeEnvelope(headerOf(full), full, { columns: true });
  } catch (error) {
    if (error instanceof UnsupportedValueError) return invalid(`it holds ${error.what}, which is not plain data`, error.path);
    throw error;
  }
}

/**
 * Reads bytes made by `exportSnapshot` (or a snapshot file of the file backend). Throws
 * `CorruptSnapshotError` or `IncompatibleSnapshotError` (backend 'bytes') naming what it could.
 *
 * @example
 * const savepoint = importSnapshot(new Uint8Array(await file.arrayBuffer()));
 * await backend.save(savepoint);
 */
export function importSnapshot(bytes: Uint8Array): Snapshot {
  let ref: SnapshotRef = { pipelineId: '(unknown)', backend: 'bytes', blob: 'bytes' };
  try {
    const envelope = openEnvelope(bytes);
    const h = envelope.header;
    ref = {
      pipelineId: typeof h.pipelineId === 'string' ? h.pipelineId : '(unknown)',
      checkpointId: typeof h.checkpointId === 'number' ? h.checkpointId : undefined,
      backend: 'bytes',
      blob: 'bytes',
    };
    if (h.type !== 'snapshot') throw new CorruptSnapshotError(ref, `the bytes hold a ${String(h.type)}, not a snapshot`);
    const body = envelope.body();
    const problem = shapeProblem(body);
    if (problem !== undefined) throw new CorruptSnapshotError(ref, problem);
    if (isIncremental(body as Snapshot)) throw new CorruptSnapshotError(ref, 'it is an incremental link of a chain, not a full snapshot');
    return { ...(body as Snapshot), formatVersion: envelope.formatVersion };
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    const p = error.problem;
    throw p.kind === 'incompatible'
      ? new IncompatibleSnapshotError(ref, p.version, SNAPSHOT_FORMAT_VERSION)
      : new CorruptSnapshotError(ref, p.reason, p.cause === undefined ? undefined : { cause: p.cause });
  }
}
