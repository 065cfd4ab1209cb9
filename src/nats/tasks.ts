/**
 * Tasks: a partitioned input is cut into key groups (Flink's max parallelism), and ranges of key
 * groups form tasks, the unit that moves between instances with its state. The task count is fixed
 * for the application's life (like a Kafka topic's partition count); instances come and go.
 */

import { keyGroupRangeForSubtask } from '../core/key-group-assignment.js';
import type { KeyGroupRange } from '../core/state-snapshot.js';
import type { TaskFence } from './task-fence.js';

/** A task: its id (also its checkpoints' pipeline id) and the key groups it owns. */
export interface TaskSpec {
  readonly id: string;
  readonly keyGroups: KeyGroupRange;
}

/** A task an instance runs, with the epoch it holds it at and the fence its commits go through. */
export interface AssignedTask extends TaskSpec {
  readonly epoch: number;
  readonly fence: TaskFence;
  /**
   * Reports that the task's pipeline failed (typically its subscription's `error` callback): the
   * instance stops the task at its next round (reason 'failed') and starts it again from its last
   * checkpoint after a restart delay, as Flink restarts a failed task. Calls after the first, or
   * after the task stopped, do nothing.
   */
  readonly fail: (error: unknown) => void;
}

/**
 * `count` tasks over `maxParallelism` key groups, with Flink's ranges: task `i` is `task-<i>` and
 * owns `keyGroupRangeForSubtask(maxParallelism, count, i)`.
 *
 * @example
 * // internal: taskSpecs(4, 128)[1]; // { id: 'task-1', keyGroups: { start: 32, end: 63 } }
 */
export function taskSpecs(count: number, maxParallelism: number): TaskSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `task-${i}`,
    keyGroups: keyGroupRangeForSubtask(maxParallelism, count, i),
  }));
}
