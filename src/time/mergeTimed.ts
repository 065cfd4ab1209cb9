import { isObservable, Observable, type Subscription } from 'rxjs';
import { InvalidOptionError } from '../core/errors.js';
import { END_OF_STREAM, MAX_WATERMARK, type StreamBatch, type StreamElement } from '../core/elements.js';
import { WatermarkValve } from './watermark-valve.js';

/** The value type of a timed stream. */
export type TimedValueOf<O> = O extends Observable<StreamBatch<infer T, infer _K>> ? T : never;
/** The key type of a timed stream (`undefined` before keyBy). */
export type TimedKeyOf<O> = O extends Observable<StreamBatch<infer _T, infer K>> ? K : never;

/**
 * Merges timed streams into one, as Flink does where inputs meet: records pass through as they
 * arrive; inputs of different value types merge into their union. The output watermark is the minimum over the inputs' watermarks, idle inputs excluded,
 * and is forwarded only when it increases (StatusWatermarkValve). An input that completes counts as
 * watermark +infinity; the merge completes when every input has completed.
 *
 * As in Flink, an idle input holds nothing back: if every other input completes (watermark
 * +infinity), event time ends even though the idle input may still send records, and those records
 * arrive late downstream. Leave out `withIdleness` on an input whose late records matter.
 *
 * Checkpoint barriers are forwarded as they arrive; aligning them across inputs comes with
 * checkpointing.
 *
 * @example
 * ```ts
 * const all$ = mergeTimed(
 *   mobile$.pipe(withEventTime({ timestamp: (e) => e.at, watermarks: boundedOutOfOrderness(5_000).withIdleness(60_000) })),
 *   web$.pipe(withEventTime({ timestamp: (e) => e.at, watermarks: boundedOutOfOrderness(1_000) })),
 * );
 * ```
 */
export function mergeTimed<I extends readonly Observable<StreamBatch<unknown, unknown>>[]>(
  ...inputs: I
): Observable<StreamBatch<TimedValueOf<I[number]>, TimedKeyOf<I[number]>>> {
  type T = TimedValueOf<I[number]>;
  type K = TimedKeyOf<I[number]>;
  (inputs as readonly unknown[]).forEach((input, index) => {
    if (!isObservable(input)) throw new InvalidOptionError(`inputs[${index}]`, input, 'must be an Observable of stream batches (e.g. from withEventTime)');
  });
  return new Observable<StreamBatch<T, K>>((subscriber) => {
    // No input: nothing to merge, and no event time to hold back.
    if (inputs.length === 0) {
      subscriber.next([END_OF_STREAM]);
      subscriber.complete();
      return;
    }
    const valve = new WatermarkValve(inputs.length);
    let active = inputs.length;
    const flush = (out: StreamElement<T, K>[]): void => {
      if (out.length > 0) subscriber.next(out);
    };
    const subscriptions: Subscription[] = [];
    inputs.forEach((input, index) => {
      // An input that failed synchronously ended the merge: do not start the others.
      if (subscriber.closed) return;
      subscriptions.push((input as Observable<StreamBatch<T, K>>).subscribe({
        next: (batch) => {
          const out: StreamElement<T, K>[] = [];
          for (let i = 0; i < batch.length; i++) {
            const element = batch[i]!;
            switch (element.kind) {
              case 'watermark':
                valve.inputWatermark(index, element.timestamp, out as StreamElement<unknown, unknown>[]);
                break;
              case 'status':
                valve.inputStatus(index, element.idle, out as StreamElement<unknown, unknown>[]);
                break;
              default:
                out.push(element);
            }
          }
          flush(out);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          const out: StreamElement<T, K>[] = [];
          valve.inputStatus(index, false, out as StreamElement<unknown, unknown>[]);
          valve.inputWatermark(index, MAX_WATERMARK, out as StreamElement<unknown, unknown>[]);
          flush(out);
          if (--active === 0) subscriber.complete();
        },
      }));
    });
    return () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    };
  });
}
