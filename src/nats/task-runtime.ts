/**
 * Task handlers that run one checkpointed pipeline per task, with the task's checkpoints in the
 * object store: a task that moves is restored on its new instance from where its old one left it.
 */

import type { CheckpointBackend } from '../checkpoint/backend-types.js';
import type { CoordinationBuckets } from './buckets.js';
import type { StopReason, TaskHandlers } from './instance.js';
import { claimedCheckpointBackend } from './object-store-backend.js';
import type { TaskFence } from './task-fence.js';
import type { AssignedTask } from './tasks.js';

/** A task's running pipeline, as the `run` function of `checkpointedTasks` returns it. */
export interface TaskPipeline {
  /**
   * Stops the pipeline: unsubscribe, and close its `Checkpointing` (take a last checkpoint first
   * when `reason` is 'revoked' or 'shutdown', so the next owner replays less). With 'lease-lapsed'
   * the task may already run elsewhere: a checkpoint would be refused by the fence anyway. With
   * 'failed' the pipeline reported its failure (`task.fail`): it restarts from its last checkpoint.
   */
  stop(reason: StopReason): void | Promise<void>;
}

/**
 * What a task's exactly-once sink needs to be fenced, ready to spread into `natsExactlyOnceSink`'s
 * options: the task id (its marker and message ids), its epoch, and its fence, checked before each
 * checkpoint's output is published and before its marker is written.
 */
export interface TaskSinkFencing {
  readonly task: string;
  readonly epoch: number;
  readonly fence: TaskFence;
}

/** Options of `checkpointedTasks`. */
export interface CheckpointedTasksOptions {
  readonly buckets: CoordinationBuckets;
  /** Checkpoints kept per task (default 3). */
  readonly keep?: number;
  /** The longest chain of incremental checkpoints (default 4). */
  readonly maxChainLength?: number;
  /**
   * Starts a task's pipeline on its backend: typically `startCheckpointing({ backend, interval,
   * keyGroups: task.keyGroups })`, a source that reads the task's key groups from the restored
   * positions, and a sink fenced by the task: `natsExactlyOnceSink(js, { ...sinkOptions, ...fencing })`.
   * Subscribe with `{ error: task.fail }`, so that a failed pipeline (a checkpoint that could not be
   * stored while the server restarted, say) is restarted from its last checkpoint.
   */
  run(task: AssignedTask, backend: CheckpointBackend, fencing: TaskSinkFencing): TaskPipeline | Promise<TaskPipeline>;
}

/**
 * `TaskHandlers` that give each task a checkpoint backend of its own (pipeline id: the task id),
 * fenced by the task's epoch, run its pipeline, and stop it and close the backend on revoke.
 *
 * @example
 * // internal: const handlers = checkpointedTasks({ buckets, run: async (task, backend, fencing) => {
 * // internal:   const checkpoints = await startCheckpointing({ backend, interval: 10_000, keyGroups: task.keyGroups });
 * // internal:   const sink = await natsExactlyOnceSink(js, { ...sinkOptions, ...fencing });
 * // internal:   const subscription = pipeline(checkpoints, task, sink).subscribe({ error: task.fail });
 * // internal:   return { stop: async () => { subscription.unsubscribe(); await checkpoints.close(); } };
 * // internal: } });
 */
export function checkpointedTasks(options: CheckpointedTasksOptions): TaskHandlers {
  const running = new Map<string, { pipeline: TaskPipeline; backend: CheckpointBackend }>();
  return {
    async start(task) {
      const backend = await claimedCheckpointBackend({
        pipelineId: task.id,
        objects: options.buckets.checkpoints,
        pointers: options.buckets.tasks,
        fence: task.fence,
        ...(options.keep !== undefined ? { keep: options.keep } : {}),
        ...(options.maxChainLength !== undefined ? { maxChainLength: options.maxChainLength } : {}),
      });
      try {
        const fencing: TaskSinkFencing = { task: task.id, epoch: task.epoch, fence: task.fence };
        running.set(task.id, { pipeline: await options.run(task, backend, fencing), backend });
      } catch (error) {
        await backend.close();
        throw error;
      }
    },
    async stop(task, reason) {
      const entry = running.get(task.id);
      if (entry === undefined) return;
      running.delete(task.id);
      try {
        await entry.pipeline.stop(reason);
      } finally {
        await entry.backend.close();
      }
    },
  };
}
