import { Observable } from 'rxjs';
import { MAX_WATERMARK, type StreamBatch, type StreamElement } from '../core/elements.js';
import { WatermarkValve } from './watermark-valve.js';

/**
 * Merges timed streams into one, as Flink does where inputs meet: records pass through as they
 * arrive; the output watermark is the minimum over the inputs' watermarks, idle inputs excluded,
 * and is forwarded only when it increases (StatusWatermarkValve). An input that completes counts as
 * watermark +infinity; the merge completes when every input has completed.
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
export function mergeTimed<T, K = undefined>(...inputs: Observable<StreamBatch<T, K>>[]): Observable<StreamBatch<T, K>> {
  return new Observable<StreamBatch<T, K>>((subscriber) => {
    const valve = new WatermarkValve(inputs.length);
    let active = inputs.length;
    const flush = (out: StreamElement<T, K>[]): void => {
      if (out.length > 0) subscriber.next(out);
    };
    if (active === 0) {
      subscriber.complete();
      return;
    }
    const subscriptions = inputs.map((input, index) =>
      input.subscribe({
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
      }),
    );
    return () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    };
  });
}
