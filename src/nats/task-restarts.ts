/**
 * When a failed task may start again, per task, as its restart strategy decides (Flink's strategies,
 * shared with rxflink/parallel; the default is exponential-delay, Flink's default with checkpoints).
 */

import type { CoordinationClock } from './clock.js';
import { RestartsExhaustedError } from '../parallel/errors.js';
import { exponentialDelayRestart, type RestartBackoff, type RestartStrategy } from '../parallel/restart-strategies.js';

interface TaskRestarts {
  readonly backoff: RestartBackoff;
  restarts: number;
  /** When the task may start again (clock time); Infinity once the strategy gave up. */
  notBefore: number;
}

/** The restarts of an instance's tasks. */
export class TaskRestartDelays {
  readonly #clock: CoordinationClock;
  readonly #strategy: RestartStrategy;
  readonly #tasks = new Map<string, TaskRestarts>();

  constructor(clock: CoordinationClock, strategy: RestartStrategy = exponentialDelayRestart()) {
    this.#clock = clock;
    this.#strategy = strategy;
  }

  /** Whether the task failed and may not start yet (or ever, once its strategy gave up). */
  waiting(task: string): boolean {
    const restarts = this.#tasks.get(task);
    return restarts !== undefined && this.#clock.now() < restarts.notBefore;
  }

  /**
   * The task failed now with `cause`: it may start again after the strategy's delay. Returns the
   * `RestartsExhaustedError` (naming the task) when the strategy gives up: the task stays stopped.
   */
  failed(task: string, cause: unknown): RestartsExhaustedError | undefined {
    const now = this.#clock.now();
    let restarts = this.#tasks.get(task);
    if (restarts === undefined) {
      restarts = { backoff: this.#strategy.start(), restarts: 0, notBefore: now };
      this.#tasks.set(task, restarts);
    }
    const delay = restarts.backoff.onFailure(now);
    if (delay === undefined) {
      restarts.notBefore = Infinity;
      return new RestartsExhaustedError(`${this.#strategy.description} of task "${task}"`, restarts.restarts, cause);
    }
    restarts.restarts++;
    restarts.notBefore = now + delay;
    return undefined;
  }

  /** The task stopped for another reason than a failure (moved away, shut down): its history goes. */
  forget(task: string): void {
    this.#tasks.delete(task);
  }
}
