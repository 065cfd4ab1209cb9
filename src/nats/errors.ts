/**
 * The errors of the NATS coordination layer: a zombie instance fenced off a task, and a lost lease.
 */

import { StreamError } from '../core/errors.js';

/**
 * An instance tried to act for a task (commit output, write a checkpoint) with an epoch that is no
 * longer the task's: another instance took the task over since (Kafka's `ProducerFencedException`).
 * The instance must stop the task; nothing it writes for it is accepted any more.
 */
export class FencedError extends StreamError {
  readonly task: string;
  /** The epoch the refused instance held. */
  readonly epoch: number;
  /** The task's current epoch, or undefined when nobody holds it (released). */
  readonly currentEpoch: number | undefined;
  /** The instance that holds the task now, if any. */
  readonly owner: string | null;
  constructor(task: string, epoch: number, currentEpoch: number | undefined, owner: string | null) {
    super(
      'FENCED',
      `task ${JSON.stringify(task)}: epoch ${epoch} is fenced off, the task is ${
        owner === null ? 'released' : `held by ${JSON.stringify(owner)} at epoch ${currentEpoch}`
      }; stop the task, its output can no longer be committed`,
    );
    this.task = task;
    this.epoch = epoch;
    this.currentEpoch = currentEpoch;
    this.owner = owner;
  }
}

/** A lease (an instance's membership or the leader lease) lapsed before it was renewed. */
export class LeaseLostError extends StreamError {
  readonly lease: string;
  readonly instanceId: string;
  constructor(lease: string, instanceId: string, reason: string) {
    super('LEASE_LOST', `instance ${JSON.stringify(instanceId)} lost its ${lease} lease: ${reason}`);
    this.lease = lease;
    this.instanceId = instanceId;
  }
}
