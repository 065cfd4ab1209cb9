import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';

/** What `Heartbeats` does with the subtasks: ping one, or declare one lost. */
export interface HeartbeatTargets {
  /** Sends subtask `subtask` a heartbeat frame. */
  ping(subtask: number): void;
  /** Subtask `subtask` sent nothing for `silentFor` ms, more than the timeout. */
  lost(subtask: number, silentFor: number): void;
}

/**
 * Watches that each subtask's worker still answers, as Flink's JobManager watches its TaskManagers
 * (`heartbeat.interval`, `heartbeat.timeout`,
 * https://nightlies.apache.org/flink/flink-docs-stable/docs/deployment/config/#heartbeat-timeout):
 * every `interval` ms each subtask gets a heartbeat frame, and one that sent no frame at all for more
 * than `timeout` ms is lost. Any frame counts as an answer, so a busy subtask that still sends batches
 * is alive. The clock starts at a subtask's first frame: before it, the worker is still loading the
 * segment's module (a failed start is an exit or an error, not silence). Time comes from the injected
 * scheduler only.
 *
 * @example
 * ```ts
 * // internal: const beats = new Heartbeats(scheduler, 2, 10_000, 50_000, { ping, lost }); beats.heard(0);
 * ```
 */
export class Heartbeats {
  readonly #scheduler: SchedulerLike;
  readonly #timeout: number;
  readonly #targets: HeartbeatTargets;
  /** When each subtask last sent a frame; undefined before its first. */
  readonly #lastHeard: (number | undefined)[];
  readonly #task: Subscription;

  constructor(
    scheduler: SchedulerLike,
    subtasks: number,
    interval: number,
    timeout: number,
    targets: HeartbeatTargets,
  ) {
    this.#scheduler = scheduler;
    this.#timeout = timeout;
    this.#targets = targets;
    this.#lastHeard = new Array<number | undefined>(subtasks).fill(undefined);
    const beat = (action: SchedulerAction<unknown>): void => {
      if (this.#check()) action.schedule(undefined, interval);
    };
    this.#task = scheduler.schedule(function (this: SchedulerAction<unknown>) {
      beat(this);
    }, interval);
  }

  /** Subtask `subtask` sent a frame. */
  heard(subtask: number): void {
    this.#lastHeard[subtask] = this.#scheduler.now();
  }

  /** Stops pinging. */
  stop(): void {
    this.#task.unsubscribe();
  }

  /** Declares the first silent subtask lost (false then: the stage fails and stops), else pings all. */
  #check(): boolean {
    const now = this.#scheduler.now();
    for (let i = 0; i < this.#lastHeard.length; i++) {
      const last = this.#lastHeard[i];
      if (last !== undefined && now - last > this.#timeout) {
        this.#targets.lost(i, now - last);
        return false;
      }
    }
    for (let i = 0; i < this.#lastHeard.length; i++) this.#targets.ping(i);
    return true;
  }
}
