import { Observable, type OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamRecord } from '../core/elements.js';
import { stageOf, type ValuesStage } from '../rx/stages.js';

/**
 * The exit of a timed pipeline: emits each record's value, in order, and drops watermarks and
 * control elements. Completes after the end-of-stream watermark has fired every window upstream.
 *
 * @example
 * ```ts
 * const words$: Observable<string> = lines$.pipe(withEventTime(...), flatMapValues(split), toValues());
 * ```
 */
export function toValues<T, K = unknown>(): OperatorFunction<StreamBatch<T, K>, T> {
  const unfused = leaveWith<T, K, T>((record) => record.value);
  // A stream that can deliver plain values itself (a fused window chain, src/window/fused-window.ts)
  // hands over its results as they are.
  return (source) => (stageOf<ValuesStage>(source, 'values')?.values() as Observable<T> | undefined) ?? unfused(source);
}

/**
 * Like `toValues`, but emits whole records: value, timestamp, key and key group.
 *
 * @example
 * ```ts
 * clicks$.pipe(
 *   withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((c) => c.page),
 *   toRecords(),
 * ).subscribe((r) => console.log(r.key, r.timestamp, r.value.user));
 * ```
 */
export function toRecords<T, K = unknown>(): OperatorFunction<StreamBatch<T, K>, StreamRecord<T, K>> {
  return leaveWith((record) => record);
}

/** Emits `project(record)` for each record of each batch; everything else stays behind. */
function leaveWith<T, K, R>(project: (record: StreamRecord<T, K>) => R): OperatorFunction<StreamBatch<T, K>, R> {
  return (source) =>
    new Observable<R>((subscriber) =>
      source.subscribe({
        next: (batch) => {
          for (let i = 0; i < batch.length; i++) {
            const element = batch[i]!;
            if (element.kind === 'record') subscriber.next(project(element));
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
