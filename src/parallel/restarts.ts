import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { InvalidOptionError } from '../core/errors.js';
import { RestartsExhaustedError } from './errors.js';
import type { RestartStrategy } from './restart-strategies.js';

/**
 * One run of a restartable pipeline: its stream, and the coordinator its sources were declared to
 * (what `startCheckpointing` returned), whose `whenFinished` says that its last results are committed.
 */
export interface PipelineRun<T> {
  readonly stream: Observable<T>;
  readonly checkpoints?: {
    /** Settles when the run's last results are committed (or its checkpoints failed). */
    whenFinished(): Promise<unknown>;
    /** Stops the run's checkpoints (a failed run's, before the next starts). */
    stop(): void;
  };
}

/** Options of `withRestarts`. */
export interface RestartOptions {
  /** When to restart and when to give up (`fixedDelayRestart()`, `exponentialDelayRestart()`, ...). */
  restartStrategy: RestartStrategy;
  /** Where the delays are scheduled and the failure times read; default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Called at each restart, before its delay, with the restart's number (from 1) and the failure. */
  onRestart?: (restart: number, cause: unknown) => void;
}

/**
 * Runs a checkpointed pipeline and restarts it after each failure from its last completed checkpoint,
 * as Flink's full restart does (every subtask restarts, sources rewind): `start` builds the whole
 * pipeline again, calling `startCheckpointing` on the same backend, which restores the last stored
 * checkpoint: each source resumes at its stored position and each operator, inside a `parallel`
 * segment too, gets its state back. The results of a run after its last checkpoint were never committed
 * by an `exactlyOnceSink`, so the committed results are those of a run without failures. The
 * restart strategy decides whether and after what delay; when it gives up, the stream fails with
 * `RestartsExhaustedError` (the last failure its cause, its segment and subtask when a subtask's).
 * The returned stream carries what every run emits and completes when a run finished.
 *
 * @example
 * ```ts
 * import { boundedOutOfOrderness, count, exactlyOnceSink, fromIterable, keyBy, memoryBackend, startCheckpointing, tumblingEventTimeWindows, window, withEventTimeBatches } from 'rxflink';
 * import { nodeWorkers } from 'rxflink/node';
 * import { defineSegment, fixedDelayRestart, parallel, withRestarts } from 'rxflink/parallel';
 *
 * export const clicksPerMinute = defineSegment<Click, string, unknown>(import.meta.url, 'clicksPerMinute', (clicks) =>
 *   clicks.pipe(window<Click, string>(tumblingEventTimeWindows(60_000), { uid: 'per-minute' }).aggregate(count())),
 * );
 * const backend = memoryBackend({ pipelineId: 'clicks' });
 * withRestarts(
 *   async () => {
 *     const checkpoints = await startCheckpointing({ backend, interval: 5_000 });
 *     const stream = checkpoints.source('clicks', fromIterable(clickLog, { from: checkpoints.position('clicks') })).pipe(
 *       withEventTimeBatches({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(1_000), uid: 'entry' }),
 *       keyBy((c: Click) => c.user),
 *       parallel(clicksPerMinute, { workers: nodeWorkers(), parallelism: 2 }),
 *       exactlyOnceSink(async (counts, id) => store.commit(id, counts), { uid: 'sink' }),
 *     );
 *     return { stream, checkpoints };
 *   },
 *   { restartStrategy: fixedDelayRestart({ attempts: 3, delay: 1_000 }) },
 * ).subscribe({ error: (e) => console.error(e) }); // RestartsExhaustedError after the 4th failure
 * ```
 */
export function withRestarts<T>(
  start: () => PipelineRun<T> | Promise<PipelineRun<T>>,
  options: RestartOptions,
): Observable<T> {
  const strategy = options?.restartStrategy;
  if (typeof strategy?.start !== 'function')
    throw new InvalidOptionError('restartStrategy', strategy, 'must be a restart strategy: fixedDelayRestart() etc.');
  const scheduler = options.scheduler ?? asyncScheduler;
  return new Observable<T>((subscriber) => {
    const backoff = strategy.start();
    let restarts = 0;
    let current: Subscription | undefined;
    let run: PipelineRun<T> | undefined;
    let closed = false;

    const failed = (cause: unknown): void => {
      if (closed) return;
      stopRun();
      const delay = backoff.onFailure(scheduler.now());
      if (delay === undefined) {
        closed = true;
        subscriber.error(new RestartsExhaustedError(strategy.description, restarts, cause));
        return;
      }
      restarts++; // not inside the optional call below, which skips its arguments without onRestart
      options.onRestart?.(restarts, cause);
      current = scheduler.schedule(attempt, delay);
    };
    const stopRun = (): void => {
      current?.unsubscribe();
      current = undefined;
      run?.checkpoints?.whenFinished().catch(() => {}); // this run's failure is handled here
      run?.checkpoints?.stop();
      run = undefined;
    };
    const attempt = (): void => {
      let settled = false;
      const once =
        (then: (value: unknown) => void) =>
        (value: unknown): void => {
          if (settled || closed) return;
          settled = true;
          then(value);
        };
      const fail = once(failed);
      Promise.resolve()
        .then(start)
        .then((started) => {
          if (closed || settled) return started.checkpoints?.stop();
          run = started;
          const finished = once(() => {
            closed = true;
            subscriber.complete();
          });
          current = started.stream.subscribe({
            next: (value) => subscriber.next(value),
            error: fail,
            complete: () => {
              if (started.checkpoints === undefined) finished(undefined);
              else started.checkpoints.whenFinished().then(finished, fail);
            },
          });
          started.checkpoints?.whenFinished().catch(fail);
        })
        .catch(fail);
    };

    attempt();
    return () => {
      closed = true;
      stopRun();
    };
  });
}
