import type { OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamRecord } from '../core/elements.js';
import type { Output, StreamOperator } from '../core/operator.js';
import { fromStreamOperator } from '../rx/operator-function.js';
import type { RecordContext } from './mapValues.js';

class FilterOperator<T, K> implements StreamOperator<T, K, T, K> {
  /** The name monitoring shows (kept by minifiers, unlike the class name). */
  readonly operatorName = 'Filter';
  constructor(readonly predicate: (value: T, context: RecordContext<K>) => boolean) {}

  processRecord(input: StreamRecord<T, K>, out: Output<T, K>): void {
    if (this.predicate(input.value, input)) out.push(input);
  }
}

/**
 * Keeps the records whose value passes `predicate`, like Flink's `filter`. Watermarks and control
 * elements always pass.
 *
 * @example
 * ```ts
 * readings$.pipe(withEventTime(...), filterValues((r) => r.celsius > 30), toValues());
 * ```
 */
export function filterValues<T, S extends T, K = undefined>(
  predicate: (value: T, context: RecordContext<K>) => value is S,
): OperatorFunction<StreamBatch<T, K>, StreamBatch<S, K>>;
export function filterValues<T, K = undefined>(
  predicate: (value: T, context: RecordContext<K>) => boolean,
): OperatorFunction<StreamBatch<T, K>, StreamBatch<T, K>>;
export function filterValues<T, K = undefined>(
  predicate: (value: T, context: RecordContext<K>) => boolean,
): OperatorFunction<StreamBatch<T, K>, StreamBatch<T, K>> {
  return fromStreamOperator(() => new FilterOperator<T, K>(predicate));
}
