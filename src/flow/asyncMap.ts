import { asyncScheduler, Observable, type ObservableInput, type OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamElement, StreamRecord } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import { AsyncStage } from './async-stage.js';
import { asyncStageConfig, type AsyncStageOptions } from './async-config.js';
import { feedElements } from './async-feed.js';

/** Options of `asyncMap`. */
export interface AsyncMapOptions<T, R> extends AsyncStageOptions {
  /** Most requests in flight at once (Flink's `capacity`); default 100. */
  concurrency?: number;
  /**
   * Most records held: waiting for a request slot, in flight, or completed and waiting for their turn
   * to be emitted. Defaults to `concurrency`; the source is not pulled while it is reached.
   */
  bufferSize?: number;
  /**
   * `true` (default): results in input order (Flink's `orderedWait`). `false`: each result as soon
   * as its request completes, but never across a watermark or barrier (Flink's `unorderedWait`).
   */
  ordered?: boolean;
  /** Milliseconds of processing time (from the scheduler) a request may take. */
  timeout?: number;
  /**
   * Results for a request that timed out (Flink's `AsyncFunction.timeout`); without it, a timeout
   * fails the stream with `AsyncTimeoutError` naming the record.
   */
  onTimeout?: (value: T) => readonly R[];
}

/**
 * Calls a promise-returning (or Observable-returning) function for each record with at most
 * `concurrency` requests in flight, like Flink's async I/O (`AsyncDataStream.orderedWait` /
 * `unorderedWait`). Each result keeps its record's timestamp and key; an Observable may produce
 * several results (or none) for one record, like `ResultFuture.complete(collection)`.
 *
 * Order: watermarks stay behind every record they cover, in both modes; in unordered mode records
 * may overtake each other only between two watermarks (or barriers). A checkpoint barrier is emitted
 * after every request that arrived before it has completed: a checkpoint waits for requests in
 * flight rather than storing them. Demand: while `bufferSize` records are held, the pulled source
 * upstream is not pulled; while the stage downstream is full, results wait here.
 * A failed request fails the stream with `AsyncRequestError` (cause: the original error).
 *
 * @example
 * ```ts
 * const regionOf = (shop: string): Promise<string> =>
 *   fetch(`/shops/${shop}/region`).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))));
 *
 * orders$.pipe(
 *   withEventTime({ timestamp: (o) => o.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   // At most 8 lookups in flight; each result keeps its order's timestamp, so windows downstream still work.
 *   asyncMap((o) => regionOf(o.shop).then((region) => ({ ...o, region })), { concurrency: 8, timeout: 2_000 }),
 *   toValues(),
 * ); // orders with their region, in input order. A lookup over 2 s fails the stream with
 *   // AsyncTimeoutError, a rejected one with AsyncRequestError (its cause: the rejection)
 * ```
 */
export function asyncMap<T, R, K = undefined>(
  fn: (value: T, record: StreamRecord<T, K>) => ObservableInput<R>,
  options: AsyncMapOptions<T, R> = {},
): OperatorFunction<StreamBatch<T, K>, StreamBatch<R, K>> {
  if (typeof fn !== 'function')
    throw new InvalidOptionError('fn', fn, 'must be a function returning a Promise or an Observable');
  if (options.onTimeout !== undefined && typeof options.onTimeout !== 'function')
    throw new InvalidOptionError('onTimeout', options.onTimeout, 'must be a function');
  const scheduler = options.scheduler ?? asyncScheduler;
  const config = asyncStageConfig(options, { name: 'asyncMap', kind: 'async-map', concurrency: 100 }, scheduler);
  const onTimeout = options.onTimeout;
  const toRecords = (input: StreamRecord<T, K>, values: readonly unknown[]): StreamElement<R, K>[] =>
    values.map((value) => ({
      kind: 'record',
      value: value as R,
      timestamp: input.timestamp,
      key: input.key,
      keyGroup: input.keyGroup,
    }));

  return (source) =>
    new Observable<StreamBatch<R, K>>((subscriber) => {
      const stage = new AsyncStage<StreamRecord<T, K>, StreamElement<R, K>>(
        config,
        {
          invoke: (record) => fn(record.value, record),
          complete: toRecords,
          onTimeout: onTimeout && ((record) => toRecords(record, onTimeout(record.value))),
          describe: (record) => record.value,
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
        (run) => {
          for (const record of run) stage.pushJob(record, 1);
        },
        (error) => subscriber.error(error),
      );
    });
}
