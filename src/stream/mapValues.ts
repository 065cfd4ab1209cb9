import type { OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamRecord } from '../core/elements.js';
import type { Output, StreamOperator } from '../core/operator.js';
import { fromStreamOperator } from '../rx/operator-function.js';

/** What a record-level function sees besides the value. */
export interface RecordContext<K> {
  /** The record's event timestamp. */
  readonly timestamp: number;
  /** The record's key (undefined on a stream that is not keyed). */
  readonly key: K;
}

class MapOperator<T, R, K> implements StreamOperator<T, K, R, K> {
  /** The name monitoring shows (kept by minifiers, unlike the class name). */
  readonly operatorName = 'Map';
  constructor(readonly project: (value: T, context: RecordContext<K>) => R) {}

  processRecord(input: StreamRecord<T, K>, out: Output<R, K>): void {
    out.push({
      kind: 'record',
      value: this.project(input.value, input),
      timestamp: input.timestamp,
      key: input.key,
      keyGroup: input.keyGroup,
    });
  }
}

/**
 * Transforms each record's value, keeping its timestamp and key, like Flink's `map`. Watermarks and
 * control elements pass through untouched, in place.
 *
 * @example
 * ```ts
 * readings$.pipe(withEventTime(...), mapValues((r) => r.celsius * 1.8 + 32), toValues());
 * ```
 */
export function mapValues<T, R, K = undefined>(
  project: (value: T, context: RecordContext<K>) => R,
): OperatorFunction<StreamBatch<T, K>, StreamBatch<R, K>> {
  return fromStreamOperator(() => new MapOperator<T, R, K>(project));
}
