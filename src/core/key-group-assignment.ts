import { InvalidOptionError } from './errors.js';
import type { KeyGroupRange } from './state-snapshot.js';

/**
 * Which subtask owns which key groups, with the formulas of Flink's `KeyGroupRangeAssignment`, so a
 * user moving from Flink finds the same ranges (docs/architecture.md §9). Subtask `i` of `n` owns a
 * contiguous range of the `maxParallelism` key groups; the ranges of all subtasks cover every key
 * group exactly once, and a savepoint taken at one parallelism restores at another because its
 * keyed state is stored per key group.
 */

/** The largest max parallelism Flink allows (2^15): key groups are numbered below it. */
export const UPPER_BOUND_MAX_PARALLELISM = 32768;

/**
 * The key groups subtask `operatorIndex` of `parallelism` owns (Flink's
 * `computeKeyGroupRangeForOperatorIndex`): from `ceil(i * max / n)` to `floor(((i + 1) * max - 1) / n)`,
 * both inclusive.
 *
 * @example
 * ```ts
 * keyGroupRangeForSubtask(128, 3, 0); // { start: 0, end: 42 }
 * keyGroupRangeForSubtask(128, 3, 1); // { start: 43, end: 85 }
 * keyGroupRangeForSubtask(128, 3, 2); // { start: 86, end: 127 }
 * ```
 */
export function keyGroupRangeForSubtask(
  maxParallelism: number,
  parallelism: number,
  operatorIndex: number,
): KeyGroupRange {
  checkParallelism(maxParallelism, parallelism);
  if (!Number.isSafeInteger(operatorIndex) || operatorIndex < 0 || operatorIndex >= parallelism)
    throw new InvalidOptionError('operatorIndex', operatorIndex, `must be an integer in [0, ${parallelism - 1}]`);
  const start = Math.floor((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((operatorIndex + 1) * maxParallelism - 1) / parallelism);
  return { start, end };
}

/**
 * The subtask that owns key group `keyGroup` (Flink's `computeOperatorIndexForKeyGroup`):
 * `floor(keyGroup * parallelism / maxParallelism)`. The inverse of {@link keyGroupRangeForSubtask}.
 *
 * @example
 * ```ts
 * subtaskForKeyGroup(128, 3, 42); // 0
 * subtaskForKeyGroup(128, 3, 43); // 1
 * ```
 */
export function subtaskForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/**
 * Flink's default max parallelism for an operator of the given parallelism
 * (`computeDefaultMaxParallelism`): 1.5 × parallelism rounded up to a power of two, at least 128 and
 * at most 32768.
 *
 * @example
 * ```ts
 * defaultMaxParallelism(4);   // 128
 * defaultMaxParallelism(100); // 256
 * ```
 */
export function defaultMaxParallelism(parallelism: number): number {
  const wanted = parallelism + Math.floor(parallelism / 2);
  let power = 1;
  while (power < wanted) power *= 2;
  return Math.min(Math.max(power, 128), UPPER_BOUND_MAX_PARALLELISM);
}

/**
 * Checks that `parallelism` subtasks can share `maxParallelism` key groups: both integers with
 * 1 <= parallelism <= maxParallelism <= 32768; `InvalidOptionError` naming the option otherwise.
 *
 * @example
 * ```ts
 * checkParallelism(128, 4);   // ok
 * checkParallelism(128, 200); // throws InvalidOptionError: parallelism above maxParallelism
 * ```
 */
export function checkParallelism(maxParallelism: number, parallelism: number): void {
  if (!Number.isSafeInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM)
    throw new InvalidOptionError(
      'maxParallelism',
      maxParallelism,
      `must be an integer in [1, ${UPPER_BOUND_MAX_PARALLELISM}]`,
    );
  if (!Number.isSafeInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism)
    throw new InvalidOptionError(
      'parallelism',
      parallelism,
      `must be an integer in [1, maxParallelism = ${maxParallelism}]: a subtask owns at least one key group`,
    );
}
