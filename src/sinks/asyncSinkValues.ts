import { asyncScheduler, Observable, type ObservableInput, type OperatorFunction } from 'rxjs';
import { InvalidOptionError } from '../core/errors.js';
import { AsyncStage } from '../flow/async-stage.js';
import { asyncStageConfig } from '../flow/async-config.js';
import { feedValues } from '../flow/async-feed.js';
import type { AsyncSinkOptions } from './asyncSink.js';

/**
 * `asyncSink` for streams of value batches, such as a pulled source with no event time: `write`
 * receives each batch and returns a Promise (or Observable) that settles when it is stored. At most
 * `concurrency` writes run at once and at most `bufferSize` values are held; while the sink is full,
 * the source is not pulled. Emits each batch, in order, once it is written.
 *
 * @example
 * ```ts
 * // Copies a log into a database: two inserts in flight at most, and the file is read no faster.
 * readTextFile('access.log', { batchSize: 10_000 })
 *   .pipe(asyncSinkValues((lines) => db.insertMany(lines), { concurrency: 2, bufferSize: 20_000 }))
 *   .subscribe();
 * ```
 */
export function asyncSinkValues<T>(
  write: (values: readonly T[]) => ObservableInput<unknown>,
  options: AsyncSinkOptions = {},
): OperatorFunction<readonly T[], readonly T[]> {
  if (typeof write !== 'function')
    throw new InvalidOptionError('write', write, 'must be a function returning a Promise or an Observable');
  const scheduler = options.scheduler ?? asyncScheduler;
  const config = asyncStageConfig(
    { ...options, ordered: true },
    { name: 'asyncSinkValues', kind: 'sink', concurrency: 1, bufferSize: 1024 },
    scheduler,
  );

  return (source) =>
    new Observable<readonly T[]>((subscriber) => {
      const stage = new AsyncStage<readonly T[], readonly T[]>(
        config,
        {
          invoke: (values) => write(values),
          complete: (values) => [values],
          describe: (values) => values[0],
        },
        {
          // Each written batch goes out as it came in; several completed at once go out one by one.
          emit: (batches) => {
            for (const values of batches) subscriber.next(values);
          },
          fail: (error) => subscriber.error(error),
          done: () => subscriber.complete(),
        },
      );
      return feedValues(
        source,
        stage,
        (values) => stage.pushJob(values, values.length),
        (error) => subscriber.error(error),
      );
    });
}
