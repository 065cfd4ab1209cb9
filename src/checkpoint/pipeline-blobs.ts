/**
 * The blobs of one pipeline in a `BlobStore`, as read: snapshots with their incremental chains, the
 * stored manifest (rebuilt from the snapshots' headers when it is lost) and the commit record, with
 * every failure mapped to a `SnapshotError` that names the blob. `SnapshotBackend` adds the queue,
 * the caches, writing and retention.
 */

import { EnvelopeError, openEnvelope, type OpenedEnvelope } from './envelope.js';
import {
  CorruptSnapshotError,
  IncompatibleSnapshotError,
  SnapshotError,
  StorageError,
  type SnapshotRef,
} from './errors.js';
import { applyDeltas, type Snapshot } from './snapshot.js';
import {
  blobKey,
  COMMIT_RECORD_KEY,
  decodeCommitRecord,
  reconcileCommitRecord,
  SNAPSHOT_PREFIX,
  type CommitRecord,
} from './commit-record.js';
import type { BlobStore } from './backend-types.js';
import { entryFromHeader, MANIFEST_KEY, withChainLengths, type ManifestEntry } from './manifest.js';
import { shapeProblem } from './snapshot-validation.js';
import { envelopeError } from './snapshot-bytes.js';

/** Reads one pipeline's snapshots, manifest and commit record from a blob store. */
export class PipelineBlobs {
  readonly #store: BlobStore;
  readonly #pipelineId: string;
  readonly #backend: string;

  constructor(store: BlobStore, pipelineId: string) {
    this.#store = store;
    this.#pipelineId = pipelineId;
    this.#backend = store.backend;
  }

  ref(checkpointId?: number): SnapshotRef {
    return { pipelineId: this.#pipelineId, checkpointId, backend: this.#backend };
  }

  /** The ref of a damaged blob: a snapshot's (with its id), or the manifest's (id undefined). */
  blobRef(checkpointId: number | undefined): SnapshotRef {
    return { ...this.ref(checkpointId), blob: checkpointId === undefined ? MANIFEST_KEY : blobKey(checkpointId) };
  }

  #storageError(error: unknown, checkpointId?: number): SnapshotError {
    if (error instanceof SnapshotError) return error;
    const classified = this.#store.classify?.(error);
    const reason = classified?.reason ?? (error instanceof Error ? error.message : String(error));
    return new StorageError(classified?.failure ?? 'io', this.ref(checkpointId), reason, { cause: error });
  }

  async io<R>(op: () => Promise<R>, checkpointId?: number): Promise<R> {
    try {
      return await op();
    } catch (error) {
      throw this.#storageError(error, checkpointId);
    }
  }

  /**
   * Reads a snapshot and, for an incremental one, its chain down to the full base; `prune` (see
   * `decodeValue`) leaves parts of each link out before they are decoded.
   */
  async materialize(
    entry: ManifestEntry,
    manifest: readonly ManifestEntry[],
    prune?: (parsed: unknown) => void,
  ): Promise<Snapshot> {
    const chain: ManifestEntry[] = [entry];
    for (let e = entry; e.parentCheckpointId !== undefined; ) {
      const parentId = e.parentCheckpointId;
      const parent = manifest.find((p) => p.checkpointId === parentId);
      if (parent === undefined) {
        throw new CorruptSnapshotError(this.ref(entry.checkpointId), `its parent checkpoint ${parentId} is missing`);
      }
      if (chain.length > manifest.length)
        throw new CorruptSnapshotError(this.ref(entry.checkpointId), 'its chain of parents is cyclic');
      chain.push(parent);
      e = parent;
    }
    const parts: Snapshot[] = [];
    for (let i = chain.length - 1; i >= 0; i--) {
      const link = chain[i]!;
      try {
        parts.push(await this.#readSnapshot(link, prune));
      } catch (error) {
        if (link === entry || !(error instanceof SnapshotError)) throw error;
        const ref = { ...this.ref(entry.checkpointId), blob: blobKey(link.checkpointId) };
        throw new CorruptSnapshotError(
          ref,
          `its parent checkpoint ${link.checkpointId} cannot be read (${error.reason})`,
          { cause: error },
        );
      }
    }
    return applyDeltas(parts[0]!, parts.slice(1));
  }

  async #readSnapshot(entry: ManifestEntry, prune?: (parsed: unknown) => void): Promise<Snapshot> {
    const id = entry.checkpointId;
    const bytes = await this.io(() => this.#store.get(blobKey(id)), id);
    if (bytes === undefined) throw new CorruptSnapshotError(this.blobRef(id), 'its data is missing from the store');
    const envelope = this.#open(bytes, id);
    const header = envelope.header;
    if (header.type !== 'snapshot' || header.checkpointId !== id || header.pipelineId !== this.#pipelineId) {
      throw new CorruptSnapshotError(
        this.blobRef(id),
        `the stored data holds ${String(header.type)} ${String(header.checkpointId)} of pipeline ${JSON.stringify(header.pipelineId)}`,
      );
    }
    let body: unknown;
    try {
      body = envelope.body(prune);
    } catch (error) {
      throw this.#envelopeError(error, id);
    }
    const problem = shapeProblem(body);
    if (problem !== undefined) throw new CorruptSnapshotError(this.blobRef(id), problem);
    return { ...(body as Snapshot), formatVersion: envelope.formatVersion };
  }

  #open(bytes: Uint8Array, id: number | undefined): OpenedEnvelope {
    try {
      return openEnvelope(bytes);
    } catch (error) {
      throw this.#envelopeError(error, id);
    }
  }

  #envelopeError(error: unknown, id: number | undefined): unknown {
    return envelopeError(error, this.blobRef(id));
  }

  async readStoredManifest(): Promise<ManifestEntry[]> {
    const bytes = await this.io(() => this.#store.get(MANIFEST_KEY));
    if (bytes !== undefined) {
      try {
        const envelope = this.#open(bytes, undefined);
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
    return this.#rebuildManifest();
  }

  async #rebuildManifest(): Promise<ManifestEntry[]> {
    const keys = (await this.io(() => this.#store.keys())).filter((k) => k.startsWith(SNAPSHOT_PREFIX));
    const entries: ManifestEntry[] = [];
    for (const key of keys) {
      const bytes = await this.io(() => this.#store.get(key));
      if (bytes === undefined) continue;
      let envelope: OpenedEnvelope;
      try {
        envelope = openEnvelope(bytes);
      } catch {
        continue; // A damaged snapshot cannot be listed; it would fail to load anyway.
      }
      const entry = entryFromHeader(key, envelope, SNAPSHOT_PREFIX);
      if (entry !== undefined) entries.push(entry);
    }
    return withChainLengths(entries);
  }

  /** The commit record as stored, reconciled with the stored snapshots' ids. */
  async readCommitRecord(): Promise<CommitRecord> {
    const bytes = await this.io(() => this.#store.get(COMMIT_RECORD_KEY));
    const keys = await this.io(() => this.#store.keys());
    return reconcileCommitRecord(bytes === undefined ? undefined : decodeCommitRecord(bytes, this.#pipelineId), keys);
  }
}
