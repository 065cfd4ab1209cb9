/**
 * An instance of a partitioned application: it holds a membership lease, competes for the leader
 * lease, and runs the tasks the assignment gives it. Each round (`tick`), it
 * 1. renews its membership; if no renewal succeeded within the TTL it stops every task, since
 *    another instance may own them by now (self-fencing; commits are fenced anyway);
 * 2. as leader, moves the assignment one step towards the sticky target (revoke, then assign);
 * 3. stops and releases the tasks no longer assigned to it or whose pipeline failed, then takes and
 *    starts its new ones, and restarts its failed ones once their restart delay has passed.
 * A task is stopped and released by its old owner before the leader gives it to another, so a
 * task never runs twice, except on a zombie whose lease lapsed unnoticed: its commits are refused.
 */

import type { CoordinationBuckets } from './buckets.js';
import { type CoordinationClock, systemClock } from './clock.js';
import { rebalanceStep, sameOwners, stickyTarget } from './assignment.js';
import { readAssignment, writeAssignment } from './assignment-store.js';
import { LeaderLease } from './leader.js';
import { liveMembers, Membership } from './membership.js';
import { readTaskHolder, TaskFence } from './task-fence.js';
import type { AssignedTask, TaskSpec } from './tasks.js';
import { InvalidOptionError } from '../core/errors.js';
import { TaskRestartDelays } from './task-restarts.js';
import type { RestartStrategy } from '../parallel/restart-strategies.js';

/** Why a task is stopped on an instance ('failed': its pipeline failed, it restarts after a delay). */
export type StopReason = 'revoked' | 'lease-lapsed' | 'shutdown' | 'failed';

/** What the instance does with its tasks: typically, run a checkpointed pipeline per task. */
export interface TaskHandlers {
  /**
   * Starts a task: restore its checkpoint (key groups `task.keyGroups`), resume from its stored
   * positions. When the task's pipeline fails later, call `task.fail(error)`: the instance stops it
   * and starts it again from its last checkpoint. A start that throws counts as such a failure.
   */
  start(task: AssignedTask): void | Promise<void>;
  /** Stops a task, taking a last checkpoint if it can; the task is released once this resolves. */
  stop(task: AssignedTask, reason: StopReason): void | Promise<void>;
}

/** Options of `TaskInstance`. */
export interface TaskInstanceOptions {
  /** Unique among the application's instances (a host name plus a process id, a pod name). */
  readonly instanceId: string;
  readonly buckets: CoordinationBuckets;
  /** Every task of the application, the same list on every instance (see `taskSpecs`). */
  readonly tasks: readonly TaskSpec[];
  readonly handlers: TaskHandlers;
  /** Time between rounds, in ms. Default a third of the lease TTL, so two missed rounds still renew in time. */
  readonly intervalMs?: number;
  readonly clock?: CoordinationClock;
  /**
   * When a failed task restarts, and when to give up on it (then it stays stopped on this instance and
   * `onError` gets a `RestartsExhaustedError` naming it). Flink's strategies from rxflink/parallel;
   * default `exponentialDelayRestart()` (1 s, ×1.5 per failure in a row, at most 1 min, never gives up).
   */
  readonly restartStrategy?: RestartStrategy;
  /** Told about failures of a round (server unreachable, a handler that threw); the next round retries. */
  readonly onError?: (error: unknown) => void;
}

/** One instance of the application: membership, leadership and its running tasks. */
export class TaskInstance {
  readonly instanceId: string;
  readonly buckets: CoordinationBuckets;
  readonly #options: TaskInstanceOptions;
  readonly #membership: Membership;
  readonly #leader: LeaderLease;
  readonly #clock: CoordinationClock;
  readonly #running = new Map<string, AssignedTask>();
  /** Tasks stopped whose release failed (server unreachable): retried every round, or they stay held. */
  readonly #unreleased = new Set<TaskFence>();
  /** Running tasks whose pipeline reported a failure (and the failure): stopped at the next round. */
  readonly #failed = new Map<AssignedTask, unknown>();
  readonly #restarts: TaskRestartDelays;
  #round: Promise<void> = Promise.resolve();
  #cancel: (() => void) | undefined;
  #stopped = false;

  constructor(options: TaskInstanceOptions) {
    if (typeof options.instanceId !== 'string' || options.instanceId.length === 0) {
      throw new InvalidOptionError('instanceId', options.instanceId, 'must be a non-empty string');
    }
    const ids = new Set(options.tasks.map((t) => t.id));
    if (ids.size !== options.tasks.length) throw new InvalidOptionError('tasks', options.tasks, 'must have unique ids');
    this.instanceId = options.instanceId;
    this.buckets = options.buckets;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    const lease = { leaseTtlMs: options.buckets.leaseTtlMs, clock: this.#clock };
    this.#membership = new Membership(options.buckets.leases, options.instanceId, lease);
    this.#leader = new LeaderLease(options.buckets.leases, options.instanceId, lease);
    this.#restarts = new TaskRestartDelays(this.#clock, options.restartStrategy);
  }

  /** The ids of the tasks this instance runs now. */
  get running(): string[] {
    return [...this.#running.keys()].sort();
  }

  /** Whether this instance holds the leader lease. */
  get isLeader(): boolean {
    return this.#leader.isLeader;
  }

  /**
   * Joins and runs a round every `intervalMs` until `stop()`.
   *
   * @example
   * // internal: const instance = new TaskInstance({ instanceId: 'a', buckets, tasks: taskSpecs(8, 128), handlers });
   * // internal: await instance.start();
   */
  async start(): Promise<void> {
    await this.tick();
    const interval = this.#options.intervalMs ?? Math.floor(this.#options.buckets.leaseTtlMs / 3);
    const loop = () => {
      this.#cancel = this.#clock.schedule(() => {
        if (this.#stopped) return;
        void this.tick().then(loop);
      }, interval);
    };
    if (!this.#stopped) loop();
  }

  /** Runs one round now (after the one in progress, if any). Tests drive instances with it. */
  tick(): Promise<void> {
    this.#round = this.#round.then(() => this.#roundOnce());
    return this.#round;
  }

  /** Stops every task (releasing it), gives up the leader lease and leaves, so others take over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancel?.();
    this.#round = this.#round.then(async () => {
      for (const task of [...this.#running.values()]) await this.#stopTask(task, 'shutdown');
      await this.#leader.release();
      await this.#membership.leave().catch((error: unknown) => this.#report(error));
    });
    await this.#round;
  }

  async #roundOnce(): Promise<void> {
    if (this.#stopped) return;
    await this.#membership.renew().catch((error: unknown) => this.#report(error));
    if (this.#membership.lapsed) {
      for (const task of [...this.#running.values()]) await this.#stopTask(task, 'lease-lapsed');
      return;
    }
    try {
      if (await this.#leader.acquireOrRenew()) await this.#rebalance();
      await this.#reconcile();
    } catch (error) {
      this.#report(error);
    }
  }

  /** As leader: one step of the assignment towards the sticky target, written with CAS. */
  async #rebalance(): Promise<void> {
    const kv = this.#options.buckets.tasks;
    const { assignment, revision } = await readAssignment(kv);
    const members = await liveMembers(this.#options.buckets.leases);
    // The leader renewed its own lease this round: a view without it is stale (a server that just
    // restarted), and acting on it could revoke every task.
    if (!members.includes(this.instanceId)) return;
    const ids = this.#options.tasks.map((t) => t.id);
    const holders: Record<string, string | null> = {};
    for (const id of ids) holders[id] = (await readTaskHolder(kv, id))?.owner ?? null;
    const target = stickyTarget(ids, members, assignment.owners);
    const next = rebalanceStep(assignment.owners, target, new Set(members), holders);
    if (sameOwners(next, assignment.owners)) return;
    // A failed CAS means another leader wrote since: its generation stands, this round does nothing.
    await writeAssignment(kv, { generation: assignment.generation + 1, owners: next }, revision).catch(() => undefined);
  }

  /** Stops the tasks taken away or failed, then takes and starts the tasks given (a failed one after its delay). */
  async #reconcile(): Promise<void> {
    const kv = this.#options.buckets.tasks;
    for (const fence of [...this.#unreleased]) await this.#release(fence);
    const { owners } = (await readAssignment(kv)).assignment;
    for (const task of [...this.#running.values()]) {
      if (this.#failed.has(task)) await this.#stopTask(task, 'failed', this.#failed.get(task));
      else if (owners[task.id] !== this.instanceId) await this.#stopTask(task, 'revoked');
    }
    for (const spec of this.#options.tasks) {
      if (owners[spec.id] !== this.instanceId || this.#running.has(spec.id) || this.#restarts.waiting(spec.id))
        continue;
      const fence = await TaskFence.acquire(kv, spec.id, this.instanceId);
      const task: AssignedTask = { ...spec, epoch: fence.epoch, fence, fail: (error) => this.#fail(task, error) };
      this.#running.set(spec.id, task);
      try {
        await this.#options.handlers.start(task);
      } catch (error) {
        this.#report(error);
        await this.#stopTask(task, 'failed', error);
      }
    }
  }

  /** A task's pipeline failed: it is stopped at the next round (a later incarnation is not affected). */
  #fail(task: AssignedTask, error: unknown): void {
    if (this.#running.get(task.id) !== task || this.#failed.has(task)) return;
    this.#failed.set(task, error);
    this.#report(error);
  }

  async #stopTask(task: AssignedTask, reason: StopReason, failure?: unknown): Promise<void> {
    this.#running.delete(task.id);
    this.#failed.delete(task);
    if (reason !== 'failed') this.#restarts.forget(task.id);
    else {
      const exhausted = this.#restarts.failed(task.id, failure);
      if (exhausted !== undefined) this.#report(exhausted);
    }
    try {
      await this.#options.handlers.stop(task, reason);
    } catch (error) {
      this.#report(error);
    }
    await this.#release(task.fence);
  }

  async #release(fence: TaskFence): Promise<void> {
    try {
      await fence.release();
      this.#unreleased.delete(fence);
    } catch (error) {
      this.#unreleased.add(fence);
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    this.#options.onError?.(error);
  }
}
