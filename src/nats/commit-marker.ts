/**
 * The commit marker of an exactly-once JetStream sink: a KV entry per (job, task) that says which
 * checkpoint's output is wholly published, written with compare-and-set on the entry's revision and
 * guarded by an optional epoch (the fencing hook, docs/nats.md "Fencing").
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { CommitConflictError, FencedError } from './errors.js';
import { retrying, type RetrySettings } from './retry.js';
import { TaskFencedError } from './task-fenced-error.js';

/** What a commit marker holds: the checkpoint whose `published` messages are all stored, by `epoch`. */
export interface CommitMarker {
  /** The writer's epoch (a task's lease revision); 0 without fencing. */
  readonly epoch: number;
  readonly checkpointId: number;
  /** How many messages that checkpoint's output took. */
  readonly published: number;
}

/** The KV entry of one task's commit marker, with its last known revision. */
export class CommitMarkerStore {
  /** The revision the next write expects (0: the key does not exist). */
  #revision = 0;
  #marker: CommitMarker | undefined;

  constructor(
    readonly kv: KV,
    readonly key: string,
    readonly retry: RetrySettings,
  ) {}

  /** The marker as last read or written. */
  get marker(): CommitMarker | undefined {
    return this.#marker;
  }

  /** Reads the marker from the server (undefined when the task never committed). */
  async read(): Promise<CommitMarker | undefined> {
    const entry = await retrying(() => this.kv.get(this.key), this.retry, isTyped);
    if (entry === null || entry.operation !== 'PUT') {
      this.#revision = entry?.revision ?? 0;
      this.#marker = undefined;
    } else {
      this.#revision = entry.revision;
      this.#marker = entry.json<CommitMarker>();
    }
    return this.#marker;
  }

  /**
   * Refuses a writer whose epoch is older than the marker's (`FencedError`). Call before publishing,
   * after `read()`, so that a zombie stops before its output goes out.
   */
  checkFence(epoch: number): void {
    const current = this.#marker?.epoch ?? 0;
    if (epoch < current) throw new FencedError(this.key, epoch, current);
  }

  /**
   * Writes `next` if the entry is still at the revision last read or written. A conflict is
   * `FencedError` when the entry now holds a newer epoch, `CommitConflictError` otherwise; a write
   * whose reply was lost (the entry holds exactly `next`) counts as done. Transport errors are retried.
   */
  async write(next: CommitMarker): Promise<void> {
    this.checkFence(next.epoch);
    const body = JSON.stringify(next);
    await retrying(
      async () => {
        try {
          this.#revision =
            this.#revision === 0
              ? await this.kv.create(this.key, body)
              : await this.kv.update(this.key, body, this.#revision);
          this.#marker = next;
        } catch (error) {
          if (!isWrongRevision(error)) throw error;
          const stored = await this.read();
          if (stored?.epoch === next.epoch && stored.checkpointId === next.checkpointId) return;
          if (stored !== undefined && stored.epoch > next.epoch)
            throw new FencedError(this.key, next.epoch, stored.epoch);
          throw new CommitConflictError(this.key, next.checkpointId, error);
        }
      },
      this.retry,
      isTyped,
    );
  }
}

/** Errors that retrying cannot fix. */
export function isTyped(error: unknown): boolean {
  return error instanceof FencedError || error instanceof CommitConflictError || error instanceof TaskFencedError;
}

/** A compare-and-set on a KV key that failed because the key changed since the revision given. */
export function isWrongRevision(error: unknown): boolean {
  if (!(error instanceof JetStreamApiError)) return false;
  return (
    error.code === JetStreamApiCodes.StreamWrongLastSequence ||
    error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown
  );
}
