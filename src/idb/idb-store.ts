/**
 * A blob store in IndexedDB through idb-keyval: one database per pipeline (`rxflink:<pipeline id>`)
 * holding one object store, so each pipeline's state can be inspected, cleared or quota-managed on
 * its own. A checkpoint (snapshot + manifest) is written by one `setMany`, i.e. one transaction:
 * both or neither, and the previous manifest stays until it commits.
 *
 * idb-keyval's `createStore` is replaced by `openDatabaseStore` below (idb-keyval accepts any
 * `UseStore`) because checkpoints need what it does not do: strict durability for writes, and typed
 * failures for an unavailable, blocked or closed database instead of a promise that never settles.
 */

import { delMany, get, keys, setMany, type UseStore } from 'idb-keyval';
import type { BlobStore } from '../checkpoint/backend-types.js';
import type { StorageFailure } from '../checkpoint/errors.js';

/** A failure already classified at its source; `IndexedDbBlobStore.classify` passes it on. */
export class IndexedDbFailure extends Error {
  constructor(
    readonly failure: StorageFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IndexedDbFailure';
  }
}

const STORE_NAME = 'snapshots';

/**
 * The IndexedDB database that holds one pipeline's snapshots.
 *
 * @example
 * databaseName('clicks'); // 'rxflink:clicks' (delete it with indexedDB.deleteDatabase to reset)
 */
export function databaseName(pipelineId: string): string {
  return `rxflink:${pipelineId}`;
}

interface OpenedStore {
  readonly use: UseStore;
  close(): void;
}

function openDatabaseStore(factory: IDBFactory | undefined, dbName: string, openTimeoutMs: number): OpenedStore {
  let db: Promise<IDBDatabase> | undefined;
  let closedReason: string | undefined;
  let connection: IDBDatabase | undefined;

  const markClosed = (reason: string): void => {
    closedReason ??= reason;
    connection?.close();
  };

  const getDb = (): Promise<IDBDatabase> => {
    if (closedReason !== undefined)
      return Promise.reject(new IndexedDbFailure('closed', `the database was closed: ${closedReason}`));
    if (db !== undefined) return db;
    if (factory === undefined) {
      return Promise.reject(
        new IndexedDbFailure(
          'unavailable',
          'IndexedDB is not available here (private browsing, storage disabled, or not a browser)',
        ),
      );
    }
    const opening = new Promise<IDBDatabase>((resolve, reject) => {
      let request: IDBOpenDBRequest;
      try {
        request = factory.open(dbName);
      } catch (error) {
        // Opaque origins (sandboxed iframes, file:) throw SecurityError here.
        reject(new IndexedDbFailure('unavailable', `IndexedDB cannot be opened: ${describe(error)}`, { cause: error }));
        return;
      }
      let settled = false;
      // An open queued behind another tab's upgrade or deletion (itself blocked by a connection that
      // does not close) would wait forever: give up after a while and say why. A timer is allowed
      // here: this is a platform module, beside the per-record path (docs/architecture.md §3).
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(
          new IndexedDbFailure(
            'blocked',
            `opening the database did not complete within ${openTimeoutMs} ms: another tab is probably upgrading or deleting it and waiting for a connection to close`,
          ),
        );
      }, openTimeoutMs);
      const settle = (): boolean => {
        clearTimeout(timer);
        if (settled) return false;
        settled = true;
        return true;
      };
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE_NAME)) request.result.createObjectStore(STORE_NAME);
      };
      request.onsuccess = () => {
        const opened = request.result;
        if (!settle()) {
          opened.close(); // It arrived after we gave up on a blocked open: not ours to keep.
          return;
        }
        connection = opened;
        // Another tab upgrading or deleting this database: let it proceed, and stop using ours.
        opened.onversionchange = () => markClosed('another connection is upgrading or deleting it');
        // The browser closed it (storage cleared by the user, disk error).
        opened.onclose = () => markClosed('the browser closed the connection');
        resolve(opened);
      };
      request.onerror = () => {
        if (!settle()) return;
        const error = request.error;
        const failure: StorageFailure = error?.name === 'QuotaExceededError' ? 'quota-exceeded' : 'unavailable';
        reject(new IndexedDbFailure(failure, `IndexedDB cannot be opened: ${describe(error)}`, { cause: error }));
      };
      request.onblocked = () => {
        if (!settle()) return;
        reject(
          new IndexedDbFailure(
            'blocked',
            'opening the database is blocked by another connection (another tab upgrading or deleting it)',
          ),
        );
      };
    });
    db = opening;
    opening.catch(() => {
      if (db === opening) db = undefined; // A blocked or failed open may be retried by the next call.
    });
    return opening;
  };

  const use: UseStore = async (mode, callback) => {
    const database = await getDb();
    let transaction: IDBTransaction;
    try {
      transaction =
        mode === 'readwrite'
          ? database.transaction(STORE_NAME, mode, { durability: 'strict' })
          : database.transaction(STORE_NAME, mode);
    } catch (error) {
      if ((error as { name?: unknown } | null)?.name === 'InvalidStateError') {
        markClosed('the connection is closing');
        throw new IndexedDbFailure('closed', `the database was closed: ${closedReason}`, { cause: error });
      }
      throw error;
    }
    return callback(transaction.objectStore(STORE_NAME));
  };

  return {
    use,
    close(): void {
      markClosed('close() was called');
    },
  };
}

/**
 * A DOMException or other error as "Name: message", for the reasons of typed failures.
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * describe(new DOMException('denied', 'SecurityError')); // 'SecurityError: denied'
 * ```
 */
export function describe(error: unknown): string {
  if (error === null || error === undefined) return 'unknown error';
  const e = error as { name?: unknown; message?: unknown };
  return `${String(e.name ?? 'Error')}: ${String(e.message ?? '')}`;
}

/** Blob store over one IndexedDB database per pipeline. */
export class IndexedDbBlobStore implements BlobStore {
  readonly backend = 'indexeddb';
  readonly #opened: OpenedStore;

  constructor(
    readonly databaseName: string,
    factory: IDBFactory | undefined,
    openTimeoutMs = 10_000,
  ) {
    this.#opened = openDatabaseStore(factory, databaseName, openTimeoutMs);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const value: unknown = await get(key, this.#opened.use);
    if (value === undefined) return undefined;
    if (value instanceof Uint8Array) return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    // Something else under our key: hand over bytes that will fail the envelope check as corrupt.
    return new Uint8Array(0);
  }

  setMany(entries: readonly (readonly [string, Uint8Array])[]): Promise<void> {
    return setMany(
      entries.map(([key, bytes]) => [key, bytes]),
      this.#opened.use,
    );
  }

  delMany(list: readonly string[]): Promise<void> {
    return delMany([...list], this.#opened.use);
  }

  async keys(): Promise<string[]> {
    return (await keys(this.#opened.use)).filter((k): k is string => typeof k === 'string');
  }

  classify(error: unknown): { failure: StorageFailure; reason: string } | undefined {
    if (error instanceof IndexedDbFailure) return { failure: error.failure, reason: error.message };
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'QuotaExceededError')
      return { failure: 'quota-exceeded', reason: `the storage quota is exceeded (${describe(error)})` };
    if (name === 'InvalidStateError')
      return { failure: 'closed', reason: `the database is closed (${describe(error)})` };
    if (name === 'AbortError' || name === 'UnknownError')
      return { failure: 'io', reason: `the transaction failed (${describe(error)})` };
    return undefined;
  }

  /** Closes the database connection: every later call fails as `'closed'`. */
  async close(): Promise<void> {
    this.#opened.close();
  }
}
