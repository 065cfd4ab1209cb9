import { Observable, type OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamRecord } from '../core/elements.js';

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
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (batch) => {
          for (let i = 0; i < batch.length; i++) {
            const element = batch[i]!;
            if (element.kind === 'record') subscriber.next(element.value);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}

/**
 * Like `toValues`, but emits whole records: value, timestamp, key and key group.
 *
 * @example
 * ```ts
 * stream$.pipe(toRecords()).subscribe((r) => console.log(r.key, r.timestamp, r.value));
 * ```
 */
export function toRecords<T, K = unknown>(): OperatorFunction<StreamBatch<T, K>, StreamRecord<T, K>> {
  return (source) =>
    new Observable<StreamRecord<T, K>>((subscriber) =>
      source.subscribe({
        next: (batch) => {
          for (let i = 0; i < batch.length; i++) {
            const element = batch[i]!;
            if (element.kind === 'record') subscriber.next(element);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
