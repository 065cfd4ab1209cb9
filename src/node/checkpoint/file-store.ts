/**
 * A blob store in a directory, one file per blob, each replaced atomically: the bytes go to a
 * temporary file in the same directory, which is synced (fdatasync) and renamed over the target, and then the
 * directory is fsynced so the renames themselves survive a power loss. A reader (or a process restarted
 * after a crash) sees the old file or the new one, never a partial one; stray temporary files from a
 * crash are removed on the next write.
 */

import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../../checkpoint/backend-types.js';
import type { StorageFailure } from '../../checkpoint/errors.js';
import { acquireOwnership, NotOwnerFailure, releaseOwnership } from './owner-lock.js';

const TMP_MARK = '.tmp-';

/** Points where tests can simulate a crash (by throwing) between the steps of an atomic write. */
export interface FileStoreHooks {
  /** Called after the temporary file is written and fsynced, before it is renamed over `target`. */
  beforeRename?(temporary: string, target: string): void | Promise<void>;
}

/** Options of `FileBlobStore`: the directory its files live in, and test hooks. */
export interface FileStoreOptions {
  /** Simulated crashes, for tests. */
  readonly hooks?: FileStoreHooks;
  /** Take the directory's owner lock before the first write (see owner-lock.ts). Default true. */
  readonly exclusive?: boolean;
}

export class FileBlobStore implements BlobStore {
  readonly backend = 'files';
  #swept = false;
  #owning: Promise<void> | undefined;
  readonly #hooks: FileStoreHooks;
  readonly #exclusive: boolean;

  constructor(
    readonly directory: string,
    options: FileStoreOptions = {},
  ) {
    this.#hooks = options.hooks ?? {};
    this.#exclusive = options.exclusive ?? true;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.#path(key));
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  }

  async setMany(entries: readonly (readonly [string, Uint8Array])[]): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    await this.#own();
    if (!this.#swept) {
      this.#swept = true;
      await this.#sweep();
    }
    await this.#writeAtomically(entries);
  }

  async delMany(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.#own();
    for (const key of keys) await rm(this.#path(key), { force: true });
    if (keys.length > 0) await this.#syncDirectory();
  }

  async keys(): Promise<string[]> {
    try {
      return (await readdir(this.directory)).filter((name) => !name.includes(TMP_MARK));
    } catch (error) {
      if (isCode(error, 'ENOENT')) return [];
      throw error;
    }
  }

  /** Releases the directory's owner lock if this store took it (with its first write); otherwise does nothing. */
  async close(): Promise<void> {
    if (this.#owning === undefined) return;
    const owning = this.#owning;
    this.#owning = undefined;
    if (
      await owning.then(
        () => true,
        () => false,
      )
    )
      await releaseOwnership(this.directory);
  }

  /** Takes the directory's ownership once (a failed attempt is retried by the next write). */
  async #own(): Promise<void> {
    if (!this.#exclusive) return;
    this.#owning ??= acquireOwnership(this.directory);
    try {
      await this.#owning;
    } catch (error) {
      this.#owning = undefined;
      throw error;
    }
  }

  classify(error: unknown): { failure: StorageFailure; reason: string } | undefined {
    if (error instanceof NotOwnerFailure) return { failure: 'not-owner', reason: error.message };
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'ENOSPC' || code === 'EDQUOT')
      return { failure: 'quota-exceeded', reason: `the disk is full (${message})` };
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      return { failure: 'unavailable', reason: `no permission to write (${message})` };
    return undefined;
  }

  #path(key: string): string {
    // Keys are produced by the backend ('manifest', 'snapshot-<n>'); refuse anything else outright.
    if (!/^[\w-]+$/.test(key)) throw new Error(`invalid blob key ${JSON.stringify(key)}`);
    return join(this.directory, key);
  }

  /**
   * Writes every blob to its temporary file and syncs it (fdatasync), then renames them over their
   * targets in order, then fsyncs the directory once. A crash before the directory sync can lose later renames
   * but never reorder them into a visible half-state: the manifest comes last, and a manifest that
   * lists a snapshot whose rename was lost is caught on load (missing data) and skipped by fallback.
   * save() resolves only after the directory sync, so an acknowledged checkpoint is durable.
   */
  async #writeAtomically(entries: readonly (readonly [string, Uint8Array])[]): Promise<void> {
    const staged: [temporary: string, target: string][] = entries.map(([key]) => {
      const target = this.#path(key);
      return [`${target}${TMP_MARK}${randomBytes(6).toString('hex')}`, target];
    });
    try {
      // The temporary files are written and synced concurrently: their order does not matter until
      // the renames, and the disk can flush them together (a checkpoint pays ~one sync, not two).
      await Promise.all(
        entries.map(async ([, bytes], i) => {
          const handle = await open(staged[i]![0], 'wx');
          try {
            await handle.writeFile(bytes);
            await handle.datasync();
          } finally {
            await handle.close();
          }
        }),
      );
      for (const [temporary, target] of staged) {
        await this.#hooks.beforeRename?.(temporary, target);
        await rename(temporary, target);
      }
    } catch (error) {
      await Promise.all(staged.map(([temporary]) => rm(temporary, { force: true }).catch(() => undefined)));
      throw error;
    }
    await this.#syncDirectory();
  }

  async #syncDirectory(): Promise<void> {
    // fsync of a directory is how POSIX makes a rename durable; Windows cannot open directories.
    let handle: FileHandle;
    try {
      handle = await open(this.directory, 'r');
    } catch {
      return;
    }
    try {
      await handle.sync();
    } catch (error) {
      if (!isCode(error, 'EISDIR') && !isCode(error, 'EINVAL') && !isCode(error, 'EPERM')) throw error;
    } finally {
      await handle.close();
    }
  }

  /** Removes temporary files left by a crash in the middle of a write. */
  async #sweep(): Promise<void> {
    for (const name of await readdir(this.directory)) {
      if (name.includes(TMP_MARK)) await rm(join(this.directory, name), { force: true });
    }
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}
