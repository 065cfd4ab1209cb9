import { asyncScheduler, Observable, type ObservableInput, type OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamElement, StreamRecord } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import { AsyncStage } from '../flow/async-stage.js';
import { asyncStageConfig, type AsyncStageOptions } from '../flow/async-config.js';
import { feedElements } from '../flow/async-feed.js';

/** Options of the async sinks. */
export interface AsyncSinkOptions extends AsyncStageOptions {
  /** Most writes in flight at once; default 1 (writes start in order, one after the other). */
  concurrency?: number;
  /**
   * Most records held by the sink: waiting to be written or being written. Default
   * `max(concurrency, 1024)`; the source is not pulled while it is reached.
   */
  bufferSize?: number;
}

/**
 * Writes a timed stream to an asynchronous destination (a database, an HTTP endpoint, IndexedDB):
 * `write` receives the values of each run of consecutive records in an input batch and returns a
 * Promise (or an Observable) that settles when they are stored. At most `concurrency` writes run at
 * once and at most `bufferSize` records are held; while the sink is full, the pulled source is not
 * pulled (demand flows upstream).
 *
 * The sink emits what it has written, in input order: each record once its write has completed, and
 * watermarks, status and barriers once every write before them has completed. So a barrier that
 * leaves the sink means every record before it is stored (a checkpoint waits for writes in flight,
 * like Flink's async sink flushing before the barrier). A failed write fails the stream with
 * `AsyncRequestError`.
 *
 * @example
 * ```ts
 * fromIterable(rows, { batchSize: 5000 }).pipe(
 *   withEventTimeBatches({ timestamp: (r) => r.at, watermarks: monotonousTimestamps() }),
 *   asyncSink((values) => db.insertMany(values), { concurrency: 2, bufferSize: 20_000 }),
 * ).subscribe({ complete: () => console.log('all stored') });
 * ```
 */
export function asyncSink<T, K = undefined>(
  write: (values: readonly T[], records: readonly StreamRecord<T, K>[]) => ObservableInput<unknown>,
  options: AsyncSinkOptions = {},
): OperatorFunction<StreamBatch<T, K>, StreamBatch<T, K>> {
  if (typeof write !== 'function')
    throw new InvalidOptionError('write', write, 'must be a function returning a Promise or an Observable');
  const scheduler = options.scheduler ?? asyncScheduler;
  const config = asyncStageConfig(
    { ...options, ordered: true },
    { name: 'asyncSink', kind: 'sink', concurrency: 1, bufferSize: 1024 },
    scheduler,
  );

  return (source) =>
    new Observable<StreamBatch<T, K>>((subscriber) => {
      const stage = new AsyncStage<StreamRecord<T, K>[], StreamElement<T, K>>(
        config,
        {
          invoke: (records) =>
            write(
              records.map((r) => r.value),
              records,
            ),
          complete: (records) => records,
          describe: (records) => records[0]?.value,
        },
        {
          emit: (batch) => subscriber.next(batch),
          fail: (error) => subscriber.error(error),
          done: () => subscriber.complete(),
        },
      );
      return feedElements(
        source,
        stage,
        (run) => stage.pushJob(run, run.length),
        (error) => subscriber.error(error),
      );
    });
}
