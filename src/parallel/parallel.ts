import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { StreamBatch } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import { checkParallelism } from '../core/key-group-assignment.js';
import { DEFAULT_MAX_PARALLELISM } from '../core/keys.js';
import type { WorkerSpawner } from './frames.js';
import { ParallelStage } from './parallel-stage.js';
import { checkMovable, type Segment } from './segment.js';

/** Options of `parallel`. */
export interface ParallelOptions {
  /** Starts the workers: `nodeWorkers()` from `rxflink/node`, `webWorkers()` from `rxflink/browser`. */
  workers: WorkerSpawner;
  /** Number of subtasks; default the spawner's number of cores. */
  parallelism?: number;
  /** The max parallelism `keyBy` used (default 128): the number of key groups. */
  maxParallelism?: number;
  /** Batches in flight per channel and direction before a credit comes back; default 4. */
  credits?: number;
  /** Records waiting for channel credits before the source is paused; default 8192. */
  bufferSize?: number;
  /**
   * Ms between heartbeats to each subtask's worker, which answers from its event loop; default
   * 10,000, as Flink's `heartbeat.interval`.
   */
  heartbeatInterval?: number;
  /**
   * Ms without any frame from a worker (counted from its first) after which its subtask failed, as
   * Flink's `heartbeat.timeout`; default 50,000.
   */
  heartbeatTimeout?: number;
  /** Where the stage schedules its wake-ups and heartbeats and reads the time; default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/**
 * Runs a keyed segment in `parallelism` subtasks on worker threads (Node) or Web Workers, as Flink runs
 * a keyed operator in parallel subtasks (docs/parallel.md). Subtask `i` owns the key groups
 * `keyGroupRangeForSubtask(maxParallelism, parallelism, i)`, and each record goes to the owner of its
 * key group, so every key's state lives in one subtask. Watermarks and idleness reach every subtask
 * in-band; the output carries the minimum watermark over the subtasks. Batches cross with credits, so
 * a slow consumer downstream pauses the pulled source upstream. A subtask that fails ends the stream
 * with `SubtaskFailedError` naming the subtask.
 *
 * The segment must come from `defineSegment` in a module the workers import: passing a function
 * throws `SegmentNotMovableError`.
 *
 * @example
 * ```ts
 * import { boundedOutOfOrderness, count, fromIterable, keyBy, toValues, tumblingEventTimeWindows, window, withEventTimeBatches } from 'rxflink';
 * import { defineSegment, parallel } from 'rxflink/parallel';
 * import { nodeWorkers } from 'rxflink/node';
 *
 * // Exported from the module it is defined in, which the workers import (usually a module of its own).
 * export const clicksPerMinute = defineSegment<Click, string, unknown>(import.meta.url, 'clicksPerMinute', (clicks) =>
 *   clicks.pipe(window<Click, string>(tumblingEventTimeWindows(60_000)).aggregate(count())),
 * );
 *
 * fromIterable(clickLog).pipe(
 *   withEventTimeBatches({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((c: Click) => c.user),
 *   parallel(clicksPerMinute, { workers: nodeWorkers(), parallelism: 2 }), // users split over 2 workers by key group
 *   toValues(),
 * ); // the per-user counts of one thread, computed on two
 * ```
 */
export function parallel<T, K, R>(
  segment: Segment<T, K, R>,
  options: ParallelOptions,
): OperatorFunction<StreamBatch<T, K>, StreamBatch<R, unknown>> {
  const checked = checkMovable(segment);
  const workers = options?.workers;
  if (typeof workers?.spawn !== 'function')
    throw new InvalidOptionError('workers', workers, 'must be a worker spawner: nodeWorkers() or webWorkers()');
  const maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
  const parallelism = options.parallelism ?? Math.min(workers.defaultParallelism, maxParallelism);
  checkParallelism(maxParallelism, parallelism);
  const credits = positive('credits', options.credits ?? 4);
  const bufferSize = positive('bufferSize', options.bufferSize ?? 8192);
  const heartbeatInterval = positive('heartbeatInterval', options.heartbeatInterval ?? 10_000);
  const heartbeatTimeout = positive('heartbeatTimeout', options.heartbeatTimeout ?? 50_000);
  const config = {
    segment: checked,
    workers,
    parallelism,
    maxParallelism,
    credits,
    bufferSize,
    heartbeatInterval,
    heartbeatTimeout,
    scheduler: options.scheduler ?? asyncScheduler,
  };
  return (source) =>
    new Observable<StreamBatch<R, unknown>>((subscriber) => {
      let stage: ParallelStage;
      try {
        stage = new ParallelStage(config, {
          emit: (batch) => subscriber.next(batch as StreamBatch<R, unknown>),
          fail: (error) => subscriber.error(error),
          done: () => subscriber.complete(),
        });
      } catch (error) {
        subscriber.error(error);
        return;
      }
      const subscription = stage.subscribeUpstream(() =>
        source.subscribe({
          next: (batch) => stage.input(batch),
          error: (error: unknown) => stage.fail(error),
          complete: () => stage.end(),
        }),
      );
      return () => {
        subscription.unsubscribe();
        stage.dispose();
      };
    });
}

function positive(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidOptionError(option, value, 'must be a positive integer');
  return value;
}
