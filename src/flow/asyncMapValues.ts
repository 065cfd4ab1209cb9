import { asyncScheduler, Observable, type ObservableInput, type OperatorFunction } from 'rxjs';
import { InvalidOptionError } from '../core/errors.js';
import { AsyncStage } from './async-stage.js';
import { asyncStageConfig } from './async-config.js';
import { feedValues } from './async-feed.js';
import type { AsyncMapOptions } from './asyncMap.js';

/**
 * `asyncMap` for streams of value batches, such as a pulled source before event time is assigned:
 * calls `fn` for each value with at most `concurrency` requests in flight and at most `bufferSize`
 * values held, and emits the results in batches (in input order unless `ordered: false`). While it
 * is full, the pulled source upstream is not pulled. An Observable may produce several results (or
 * none) for one value.
 *
 * @example
 * ```ts
 * interface User { id: string; updatedAt: number }
 *
 * // Looks up users, 16 at a time, before event time exists: `updatedAt` comes with the answer.
 * fromIterable(userIds, { batchSize: 500 }).pipe(
 *   asyncMapValues((id) => fetch(`/users/${id}`).then((r) => r.json() as Promise<User>), { concurrency: 16 }),
 *   withEventTimeBatches({ timestamp: (u) => u.updatedAt, watermarks: boundedOutOfOrderness(5000) }),
 * );
 * ```
 */
export function asyncMapValues<T, R>(
  fn: (value: T) => ObservableInput<R>,
  options: AsyncMapOptions<T, R> = {},
): OperatorFunction<readonly T[], readonly R[]> {
  if (typeof fn !== 'function')
    throw new InvalidOptionError('fn', fn, 'must be a function returning a Promise or an Observable');
  if (options.onTimeout !== undefined && typeof options.onTimeout !== 'function')
    throw new InvalidOptionError('onTimeout', options.onTimeout, 'must be a function');
  const scheduler = options.scheduler ?? asyncScheduler;
  const config = asyncStageConfig(options, { name: 'asyncMapValues', kind: 'async-map', concurrency: 100 }, scheduler);
  const onTimeout = options.onTimeout;

  return (source) =>
    new Observable<readonly R[]>((subscriber) => {
      const stage = new AsyncStage<T, R>(
        config,
        {
          invoke: (value) => fn(value),
          complete: (_value, results) => results as R[],
          onTimeout,
          describe: (value) => value,
        },
        {
          emit: (batch) => subscriber.next(batch),
          fail: (error) => subscriber.error(error),
          done: () => subscriber.complete(),
        },
      );
      const pushValues = (values: readonly T[]): void => {
        for (let i = 0; i < values.length; i++) stage.pushJob(values[i]!, 1);
      };
      return feedValues(source, stage, pushValues, (error) => subscriber.error(error));
    });
}
