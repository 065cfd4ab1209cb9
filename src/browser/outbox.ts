/**
 * The outbox: request bodies that could not leave when the page was hidden, kept in IndexedDB until
 * the tab that owns the pipeline drains them on its next start (docs/telemetry.md, "Outbox").
 */
import { databaseName, IndexedDbBlobStore } from '../idb/idb-store.js';

/** Sends one body; resolves true once the server has it (a failed send stays in the outbox). */
export type OutboxSend = (body: string) => Promise<boolean>;

/**
 * The IndexedDB database of a pipeline's outbox (beside its snapshots' database).
 *
 * @example
 * outboxDatabaseName('clicks'); // 'rxflink:clicks:outbox'
 */
export function outboxDatabaseName(pipelineId: string): string {
  return `${databaseName(pipelineId)}:outbox`;
}

/** A pipeline's outbox. Any tab may add to it; only the owner of the pipeline should drain it. */
export class Outbox {
  readonly #store: IndexedDbBlobStore;
  #sequence = 0;

  /** Opens the outbox of `pipelineId` (the database is created on first use); `factory` defaults to `globalThis.indexedDB`. */
  constructor(pipelineId: string, factory?: IDBFactory) {
    this.#store = new IndexedDbBlobStore(
      outboxDatabaseName(pipelineId),
      factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB,
    );
  }

  /**
   * Stores bodies, in order. Keys sort by `at` (ms), then a random tab tag, then a sequence number,
   * so that two tabs adding at once never overwrite each other and a drain keeps their order.
   */
  async add(bodies: readonly string[], at: number): Promise<void> {
    const tab = Math.random().toString(36).slice(2, 8);
    const prefix = String(Math.max(0, Math.floor(at))).padStart(15, '0');
    await this.#store.setMany(
      bodies.map(
        (body) =>
          [`${prefix}:${tab}:${String(this.#sequence++).padStart(6, '0')}`, new TextEncoder().encode(body)] as const,
      ),
    );
  }

  /**
   * Opens the database connection now, so that a later `add` on page exit only has to start a
   * transaction, within the exit's task: a page being unloaded gets no time to open a database.
   */
  warm(): Promise<void> {
    return this.#store.keys().then(
      () => undefined,
      () => undefined,
    );
  }

  /** The stored bodies, oldest first. */
  async bodies(): Promise<string[]> {
    const keys = (await this.#store.keys()).sort();
    const out: string[] = [];
    for (const key of keys) {
      const bytes = await this.#store.get(key);
      if (bytes !== undefined) out.push(new TextDecoder().decode(bytes));
    }
    return out;
  }

  /**
   * Sends every stored body, oldest first, deleting each once `send` resolved true; stops at the
   * first failure, so that order is kept and the rest waits for the next drain. Resolves the number sent.
   */
  async drain(send: OutboxSend): Promise<number> {
    let sent = 0;
    for (const key of (await this.#store.keys()).sort()) {
      const bytes = await this.#store.get(key);
      if (bytes !== undefined && !(await send(new TextDecoder().decode(bytes)).catch(() => false))) break;
      await this.#store.delMany([key]);
      sent++;
    }
    return sent;
  }

  /** Closes the database connection. */
  close(): Promise<void> {
    return this.#store.close();
  }
}
