/**
 * Fencing. Each task has a key `task.<task>` in the tasks bucket holding its owner, its epoch and
 * the last commit marker of its sink. An instance that takes a task over writes the key with
 * compare-and-set; the revision of that write is its epoch (JetStream revisions only grow, so a
 * later owner always has a higher epoch). Every commit is a compare-and-set on the key too: once
 * a new owner has written it, the old owner's next commit fails and it learns that it is a zombie
 * (`TaskFencedError`), as a Kafka producer with an old epoch does.
 */

import type { KV, KvEntry } from '@nats-io/kv';
import { TaskFencedError } from './task-fenced-error.js';
import { keyToken } from './keys.js';

/** What a task key holds. `epoch` is absent only in the write that takes the task (it is that write's revision). */
interface TaskRecord {
  readonly owner: string | null;
  readonly epoch?: number;
  readonly marker?: unknown;
}

/** The task key of a task id. */
export function taskKey(task: string): string {
  return `task.${keyToken(task)}`;
}

/** Who holds a task now and at which epoch, read from its key (owner null: released or never taken). */
export interface TaskHolder {
  readonly owner: string | null;
  readonly epoch: number | undefined;
  /** The last marker committed for the task (by any owner), or undefined. */
  readonly marker: unknown;
  /** The key's revision, for compare-and-set. */
  readonly revision: number;
}

/**
 * Reads a task's holder.
 *
 * @example
 * // internal: (await readTaskHolder(buckets.tasks, 't3'))?.owner; // 'instance-b'
 */
export async function readTaskHolder(kv: KV, task: string): Promise<TaskHolder | undefined> {
  return holderOf(await kv.get(taskKey(task)));
}

function holderOf(entry: KvEntry | null): TaskHolder | undefined {
  if (entry === null || entry.operation !== 'PUT') return undefined;
  const record = entry.json() as TaskRecord;
  return {
    owner: record.owner,
    epoch: record.epoch ?? entry.revision,
    marker: record.marker,
    revision: entry.revision,
  };
}

/**
 * The fence check for a sink: throws `TaskFencedError` unless `epoch` is the task's current epoch and
 * its holder has not released it. A read, so it narrows the window but does not close it; a sink
 * that can should commit through `TaskFence.commit`, which is one compare-and-set.
 *
 * @example
 * // internal: await assertEpoch(buckets.tasks, 't3', fence.epoch); // before publishing the commit marker
 */
export async function assertEpoch(kv: KV, task: string, epoch: number): Promise<void> {
  const holder = await readTaskHolder(kv, task);
  if (holder === undefined || holder.owner === null || holder.epoch !== epoch) {
    throw fenced(task, epoch, holder);
  }
}

/** The error for an instance at `epoch` of `task`, which `holder` holds now. */
function fenced(task: string, epoch: number, holder: TaskHolder | undefined): TaskFencedError {
  const owner = holder?.owner ?? null;
  return new TaskFencedError(task, taskKey(task), epoch, owner === null ? undefined : holder!.epoch, owner);
}

/** An instance's hold on one task at one epoch: the fence its commits pass through. */
export class TaskFence {
  readonly task: string;
  readonly owner: string;
  readonly epoch: number;
  readonly #kv: KV;
  #revision: number;
  #marker: unknown;
  #released = false;
  #tail: Promise<void> = Promise.resolve();

  private constructor(kv: KV, task: string, owner: string, epoch: number, marker: unknown) {
    this.#kv = kv;
    this.task = task;
    this.owner = owner;
    this.epoch = epoch;
    this.#revision = epoch;
    this.#marker = marker;
  }

  /**
   * Takes a task: one compare-and-set on its key over whatever holder it has (the leader assigns a
   * task only once its previous holder released it or lost its lease). The last committed marker
   * is carried over, so the new owner knows what was committed.
   *
   * @example
   * // internal: const fence = await TaskFence.acquire(buckets.tasks, 't3', 'instance-b');
   */
  static async acquire(kv: KV, task: string, owner: string): Promise<TaskFence> {
    const previous = await readTaskHolder(kv, task);
    const record: TaskRecord = { owner, marker: previous?.marker };
    const data = JSON.stringify(record);
    // `create` also succeeds over a deleted key (its revision is then the delete marker's).
    const epoch =
      previous === undefined
        ? await kv.create(taskKey(task), data)
        : await kv.update(taskKey(task), data, previous.revision);
    return new TaskFence(kv, task, owner, epoch, previous?.marker);
  }

  /** The last marker committed for the task (this owner's, or the previous owner's). */
  get marker(): unknown {
    return this.#marker;
  }

  /** Throws `TaskFencedError` if another instance took the task since (a read: see `assertEpoch`). */
  async assertEpoch(): Promise<void> {
    await assertEpoch(this.#kv, this.task, this.epoch);
  }

  /**
   * Records a commit marker (e.g. the last committed checkpoint id or output sequence) atomically
   * with the fence: a compare-and-set on the task key. Rejects with `TaskFencedError` if another
   * instance took the task since, or this one released it; nothing is written then.
   *
   * @example
   * // internal: await fence.commit({ checkpointId: 12, lastSequence: 4051 });
   */
  commit(marker: unknown): Promise<void> {
    return this.#queue(async () => {
      if (this.#released) throw fenced(this.task, this.epoch, await readTaskHolder(this.#kv, this.task));
      await this.#write({ owner: this.owner, epoch: this.epoch, marker });
      this.#marker = marker;
    });
  }

  /**
   * Gives the task up (after its last checkpoint), so the leader can assign it elsewhere at once.
   * Waits for the commits in flight; does nothing if another instance took the task already.
   * Rejects only when the server cannot be reached: call it again then.
   */
  release(): Promise<void> {
    return this.#queue(async () => {
      if (this.#released) return;
      try {
        await this.#write({ owner: null, epoch: this.epoch, marker: this.#marker });
      } catch (error) {
        if (!(error instanceof TaskFencedError)) throw error;
      }
      this.#released = true;
    });
  }

  /** One write at a time, so each compares against the revision the previous one produced. */
  #queue(write: () => Promise<void>): Promise<void> {
    const next = this.#tail.then(write);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /**
   * A compare-and-set on the task key. On a conflict, the key is read: another holder or epoch is
   * `TaskFencedError`; the key still ours means our previous write landed though its reply was lost,
   * so the write is retried on the revision read.
   */
  async #write(record: TaskRecord): Promise<void> {
    const data = JSON.stringify(record);
    try {
      this.#revision = await this.#kv.update(taskKey(this.task), data, this.#revision);
    } catch (error) {
      const holder = await readTaskHolder(this.#kv, this.task);
      if (holder?.owner !== this.owner || holder.epoch !== this.epoch) throw fenced(this.task, this.epoch, holder);
      // Unchanged: not a conflict but a failed request. Changed and still ours: retry on it.
      if (holder.revision === this.#revision) throw error;
      this.#revision = await this.#kv.update(taskKey(this.task), data, holder.revision);
    }
  }
}
