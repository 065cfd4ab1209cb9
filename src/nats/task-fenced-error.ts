/**
 * The error of a zombie instance: it acted for a task (wrote a checkpoint, committed output) with
 * an epoch that is no longer the task's.
 */

import { StreamError } from '../core/errors.js';

/**
 * An instance tried to act for a task with an epoch that is no longer the task's: another instance
 * took the task over since (as Kafka's `ProducerFencedException`). The instance must stop the task;
 * nothing it writes for it is accepted any more. `key` is the task's fence key in the tasks bucket.
 */
export class TaskFencedError extends StreamError {
  readonly task: string;
  readonly key: string;
  /** The epoch the refused instance held. */
  readonly epoch: number;
  /** The task's current epoch, or undefined when nobody holds it (released). */
  readonly currentEpoch: number | undefined;
  /** The instance that holds the task now, or null. */
  readonly owner: string | null;
  constructor(task: string, key: string, epoch: number, currentEpoch: number | undefined, owner: string | null) {
    super(
      'NATS_TASK_FENCED',
      `task ${JSON.stringify(task)}: epoch ${epoch} is fenced off, the task is ${
        owner === null ? 'released' : `held by ${JSON.stringify(owner)} at epoch ${currentEpoch}`
      }; stop the task, its output can no longer be committed`,
    );
    this.task = task;
    this.key = key;
    this.epoch = epoch;
    this.currentEpoch = currentEpoch;
    this.owner = owner;
  }
}
