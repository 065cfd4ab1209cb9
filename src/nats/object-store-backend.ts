/**
 * The checkpoint backend of a task on NATS: its snapshots are objects in a JetStream object store
 * (chunked, so a snapshot may exceed the 1 MB message limit), and what points to them, the manifest
 * and the commit record, are KV entries. Any instance can then load a task's checkpoints and take
 * the task over. Built on the shared `SnapshotBackend`, so retention, incremental chains and
 * corrupt-snapshot detection (checksums, fallback to an older checkpoint) are the other backends'.
 */

import type { KV } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
import { createCheckpointBackend } from '../checkpoint/backend.js';
import type { BlobStore, CheckpointBackend, CheckpointBackendOptions } from '../checkpoint/backend-types.js';
import type { StorageFailure } from '../checkpoint/errors.js';
import { InvalidOptionError, StreamError } from '../core/errors.js';
import { TaskFencedError } from './task-fenced-error.js';
import { fromKeyToken, keyToken } from './keys.js';
import { isWrongRevision } from './commit-marker.js';

/** Options of `natsCheckpointBackend`. */
export interface NatsCheckpointBackendOptions extends CheckpointBackendOptions {
  /** The object store of snapshots (`CoordinationBuckets.checkpoints`). */
  readonly objects: ObjectStore;
  /** The KV bucket of pointers: manifest and commit record (`CoordinationBuckets.tasks`). */
  readonly pointers: KV;
  /**
   * Checked before every write: a `TaskFence`, so that a zombie instance cannot overwrite the
   * checkpoints of a task another instance took over (its saves fail as 'not-owner').
   */
  readonly fence?: {
    /** Resolves while this instance still holds the task; rejects with `TaskFencedError` once another took it. */
    assertEpoch(): Promise<void>;
  };
}

/**
 * A checkpoint backend over a JetStream object store and a KV bucket. Use the task id as the
 * pipeline id, so that each task has its own checkpoints; restore one task's key groups with
 * `load(undefined, { keyGroups })`.
 *
 * @example
 * // internal: const backend = natsCheckpointBackend({ objects: buckets.checkpoints, pointers: buckets.tasks, pipelineId: 'task-3', fence });
 * // internal: await backend.save(snapshot);
 */
export function natsCheckpointBackend(options: NatsCheckpointBackendOptions): CheckpointBackend {
  return createCheckpointBackend(blobStore(options), options);
}

/**
 * The backend of a task just taken over: its pointers are claimed first (see
 * `ObjectStoreBlobStore.claim`), so that a late write of the previous owner is refused.
 *
 * @example
 * // internal: const backend = await claimedCheckpointBackend({ objects, pointers, pipelineId: task.id, fence: task.fence });
 */
export async function claimedCheckpointBackend(options: NatsCheckpointBackendOptions): Promise<CheckpointBackend> {
  const store = blobStore(options);
  await store.claim();
  return createCheckpointBackend(store, options);
}

function blobStore(options: NatsCheckpointBackendOptions): ObjectStoreBlobStore {
  if (typeof options.pipelineId !== 'string' || options.pipelineId.length === 0) {
    throw new InvalidOptionError('pipelineId', options.pipelineId, 'must be a non-empty string');
  }
  return new ObjectStoreBlobStore(options.objects, options.pointers, options.pipelineId, options.fence);
}

/** Snapshot blobs go to the object store; the small blobs that point to them go to the KV bucket. */
const isSnapshot = (key: string): boolean => key.startsWith('snapshot-');

/** A `BlobStore` over an object store (snapshots) and a KV bucket (manifest, commit record). */
export class ObjectStoreBlobStore implements BlobStore {
  readonly backend = 'nats';
  readonly #objects: ObjectStore;
  readonly #pointers: KV;
  readonly #prefix: string;
  readonly #fence: { assertEpoch(): Promise<void> } | undefined;
  /** The revision of each pointer key as this store last read or wrote it (0: absent): its writes compare-and-set on it. */
  readonly #revisions = new Map<string, number>();

  constructor(objects: ObjectStore, pointers: KV, pipelineId: string, fence?: { assertEpoch(): Promise<void> }) {
    this.#objects = objects;
    this.#pointers = pointers;
    this.#prefix = `checkpoint.${keyToken(pipelineId)}.`;
    this.#fence = fence;
  }

  /** The bytes in an array of their own: the client hands out views into pooled Node buffers. */
  async get(key: string): Promise<Uint8Array | undefined> {
    if (isSnapshot(key)) {
      const bytes = await this.#objects.getBlob(this.#name(key));
      return bytes === null ? undefined : new Uint8Array(bytes);
    }
    const entry = await this.#pointers.get(this.#name(key));
    this.#revisions.set(this.#name(key), entry?.revision ?? 0);
    return entry === null || entry.operation !== 'PUT' ? undefined : new Uint8Array(entry.value);
  }

  /**
   * Rewrites every pointer of the pipeline as it is (compare-and-set), so that their revisions move
   * on: a previous owner paused in the middle of a save (its fence check passed before the pause)
   * then fails its compare-and-set instead of overwriting the pointers of the new owner. Call after
   * taking the task, before loading its checkpoint.
   */
  async claim(): Promise<void> {
    await this.#fence?.assertEpoch();
    const names: string[] = [];
    for await (const name of await this.#pointers.keys(`${this.#prefix}>`)) names.push(name);
    for (const name of names) await this.#bump(name);
  }

  /** Rewrites a pointer as it is; the previous owner's last write may land in between: then again. */
  async #bump(name: string, attempts = 10): Promise<void> {
    const entry = await this.#pointers.get(name);
    if (entry === null || entry.operation !== 'PUT') return;
    try {
      this.#revisions.set(name, await this.#pointers.update(name, entry.value, entry.revision));
    } catch (error) {
      if (!isWrongRevision(error) || attempts <= 1) throw error;
      await this.#bump(name, attempts - 1);
    }
  }

  /** Each put is atomic: an object's metadata is written after its chunks, a KV entry is one message. */
  async setMany(entries: readonly (readonly [string, Uint8Array])[]): Promise<void> {
    await this.#fence?.assertEpoch();
    for (const [key, bytes] of entries)
      if (isSnapshot(key)) await this.#objects.putBlob({ name: this.#name(key) }, bytes);
    // Again: the snapshots took a while, and the pointers are what makes a checkpoint count.
    if (entries.some(([key]) => !isSnapshot(key))) await this.#fence?.assertEpoch();
    for (const [key, bytes] of entries) if (!isSnapshot(key)) await this.#putPointer(this.#name(key), bytes);
  }

  /** A compare-and-set on the revision last seen: a pointer rewritten by another owner since is refused. */
  async #putPointer(name: string, bytes: Uint8Array): Promise<void> {
    let revision = this.#revisions.get(name);
    if (revision === undefined) revision = (await this.#pointers.get(name))?.revision ?? 0;
    try {
      this.#revisions.set(
        name,
        revision === 0 ? await this.#pointers.create(name, bytes) : await this.#pointers.update(name, bytes, revision),
      );
    } catch (error) {
      if (!isWrongRevision(error)) throw error;
      this.#revisions.delete(name);
      await this.#fence?.assertEpoch();
      throw new PointerChangedError(name, error);
    }
  }

  async delMany(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.#fence?.assertEpoch();
    for (const key of keys) {
      if (isSnapshot(key)) {
        if ((await this.#objects.info(this.#name(key))) !== null) await this.#objects.delete(this.#name(key));
      } else {
        await this.#pointers.purge(this.#name(key));
        this.#revisions.delete(this.#name(key));
      }
    }
  }

  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of await this.#pointers.keys(`${this.#prefix}>`)) keys.push(this.#key(key));
    for (const info of await this.#objects.list()) {
      if (info.name.startsWith(this.#prefix) && !info.deleted) keys.push(this.#key(info.name));
    }
    return keys;
  }

  classify(error: unknown): { failure: StorageFailure; reason: string } | undefined {
    if (error instanceof TaskFencedError || error instanceof PointerChangedError)
      return { failure: 'not-owner', reason: error.message };
    const message = error instanceof Error ? error.message : String(error);
    if (/maximum bytes|insufficient (storage )?resources|storage limit/i.test(message))
      return { failure: 'quota-exceeded', reason: `the JetStream store is full (${message})` };
    if (/closed|disconnect|timeout|no responders/i.test(message))
      return { failure: 'unavailable', reason: `the NATS server cannot be reached (${message})` };
    return undefined;
  }

  /** Object names and KV keys share one form: `checkpoint.<pipeline token>.<blob key>`. */
  #name(key: string): string {
    return `${this.#prefix}${keyToken(key)}`;
  }

  #key(name: string): string {
    return fromKeyToken(name.slice(this.#prefix.length));
  }
}

/** A pointer of the checkpoints was rewritten by another writer since this one last saw it. */
class PointerChangedError extends StreamError {
  constructor(name: string, cause: unknown) {
    super(
      'NATS_POINTER_CHANGED',
      `the checkpoint pointer ${JSON.stringify(name)} was rewritten by another writer (another owner of the task)`,
      { cause },
    );
  }
}
