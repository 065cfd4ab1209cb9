import type { OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamRecord } from '../core/elements.js';
import type { Output, StreamOperator } from '../core/operator.js';
import { fromStreamOperator } from '../rx/operator-function.js';
import type { RecordContext } from './mapValues.js';

class FlatMapOperator<T, R, K> implements StreamOperator<T, K, R, K> {
  /** The name monitoring shows (kept by minifiers, unlike the class name). */
  readonly operatorName = 'FlatMap';
  constructor(readonly project: (value: T, context: RecordContext<K>) => Iterable<R>) {}

  processRecord(input: StreamRecord<T, K>, out: Output<R, K>): void {
    for (const value of this.project(input.value, input)) {
      out.push({ kind: 'record', value, timestamp: input.timestamp, key: input.key, keyGroup: input.keyGroup });
    }
  }
}

/**
 * Turns each record into zero or more records with the same timestamp and key, like Flink's
 * `flatMap`. `project` returns any iterable (an array, a generator). Watermarks pass through after
 * the records produced before them.
 *
 * @example
 * ```ts
 * lines$.pipe(withEventTime(...), flatMapValues((line) => line.toLowerCase().split(/\W+/)), toValues());
 * ```
 */
export function flatMapValues<T, R, K = undefined>(
  project: (value: T, context: RecordContext<K>) => Iterable<R>,
): OperatorFunction<StreamBatch<T, K>, StreamBatch<R, K>> {
  return fromStreamOperator(() => new FlatMapOperator<T, R, K>(project));
}
