/**
 * The memory backend: snapshots in a Map, for tests and for pipelines that only need to survive an
 * operator restart within one process. It stores encoded bytes, like the durable backends, so tests
 * against it exercise the same format, checksums and errors.
 */

import { createCheckpointBackend } from './backend.js';
import type { BlobStore, CheckpointBackend, CheckpointBackendOptions } from './backend-types.js';

/** A blob store in a Map. `blobs` is public so tests can inspect or damage what is stored. */
export class MemoryBlobStore implements BlobStore {
  readonly backend = 'memory';
  readonly blobs = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.blobs.get(key);
  }

  async setMany(entries: readonly (readonly [string, Uint8Array])[]): Promise<void> {
    for (const [key, bytes] of entries) this.blobs.set(key, bytes);
  }

  async delMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.blobs.delete(key);
  }

  async keys(): Promise<string[]> {
    return [...this.blobs.keys()];
  }
}

/** Options of `memoryBackend`. */
export interface MemoryBackendOptions extends CheckpointBackendOptions {
  /** Share a store between backends (e.g. to restore in a new pipeline instance). Default: a new one. */
  readonly store?: MemoryBlobStore;
}

/**
 * A checkpoint backend that keeps snapshots in memory.
 *
 * @example
 * const backend = memoryBackend({ pipelineId: 'wordcount', keep: 2 });
 * await backend.save({
 *   formatVersion: SNAPSHOT_FORMAT_VERSION, pipelineId: 'wordcount', checkpointId: 1, kind: 'checkpoint',
 *   createdAt: 0, operators: { counts: { stateVersion: 1, state: null } }, sources: { lines: 42 }, watermarks: {},
 * });
 * const latest = await backend.load(); // the snapshot of checkpoint 1
 */
export function memoryBackend(options: MemoryBackendOptions): CheckpointBackend {
  return createCheckpointBackend(options.store ?? new MemoryBlobStore(), options);
}
