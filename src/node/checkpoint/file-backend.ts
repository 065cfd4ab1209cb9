/**
 * The file backend: the Node default. Each pipeline's snapshots live in their own directory,
 * `<directory>/<pipeline id>/`, as `snapshot-<checkpoint id>` files plus a `manifest`, every file
 * written atomically (temporary file, fsync, rename, fsync of the directory).
 */

import { join } from 'node:path';
import { createCheckpointBackend } from '../../checkpoint/backend.js';
import type { CheckpointBackend, CheckpointBackendOptions } from '../../checkpoint/backend-types.js';
import { InvalidOptionError } from '../../core/errors.js';
import { FileBlobStore, type FileStoreHooks } from './file-store.js';

/** Options of `fileBackend`: the backend options plus the directory to write snapshots to. */
export interface FileBackendOptions extends CheckpointBackendOptions {
  /** The directory that holds one sub-directory per pipeline. Created when missing. */
  readonly directory: string;
  /** For tests: simulate crashes between the steps of an atomic write. */
  readonly hooks?: FileStoreHooks;
  /**
   * Only one process may write the pipeline's directory (an `owner.lock` file with its pid; a lock
   * of a dead process is taken over). Another live writer makes saves fail with a StorageError
   * whose failure is 'not-owner'. Default true; loading never needs the lock.
   */
  readonly exclusive?: boolean;
}

/**
 * A checkpoint backend that stores snapshots as files. One process writes a pipeline's directory
 * at a time (the checkpoint coordinator of that pipeline); a second live process is refused.
 *
 * @example
 * const backend = fileBackend({ directory: './checkpoints', pipelineId: 'wordcount', keep: 3 });
 * await backend.save(snapshot);
 * const restored = await backend.load(); // the latest checkpoint, falling back past damaged ones
 */
export function fileBackend(options: FileBackendOptions): CheckpointBackend {
  if (typeof options.directory !== 'string' || options.directory.length === 0) {
    throw new InvalidOptionError('directory', options.directory, 'must be a non-empty path');
  }
  if (typeof options.pipelineId !== 'string' || options.pipelineId.length === 0) {
    throw new InvalidOptionError('pipelineId', options.pipelineId, 'must be a non-empty string');
  }
  const store = new FileBlobStore(pipelineDirectory(options.directory, options.pipelineId), {
    ...(options.hooks !== undefined ? { hooks: options.hooks } : {}),
    ...(options.exclusive !== undefined ? { exclusive: options.exclusive } : {}),
  });
  return createCheckpointBackend(store, options);
}

/**
 * The directory of one pipeline: its id, percent-encoded so that any id is one safe path segment.
 *
 * @example
 * pipelineDirectory('/var/lib/app', 'orders/eu'); // '/var/lib/app/orders%2Feu'
 */
export function pipelineDirectory(directory: string, pipelineId: string): string {
  const segment = encodeURIComponent(pipelineId).replace(
    /[.*!'()~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return join(directory, segment);
}
