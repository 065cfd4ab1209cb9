import { isObservable, Observable, type Subscription } from 'rxjs';
import { InvalidOptionError, StreamError } from '../core/errors.js';
import {
  END_OF_STREAM,
  MAX_WATERMARK,
  type CheckpointBarrier,
  type StreamBatch,
  type StreamElement,
} from '../core/elements.js';
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
 * Checkpoint barriers are aligned, as in Flink's aligned checkpoints: after an input sends the
 * barrier of a checkpoint, its further elements wait until every input still running has sent that
 * barrier; then the barrier goes out once and the waiting elements follow. So the state downstream
 * holds exactly the records before the barrier on every input. (Barriers without a checkpoint, as
 * written in marble tests, are forwarded as they arrive.)
 *
 * @example
 * ```ts
 * const all$ = mergeTimed(
 *   mobile$.pipe(withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(5_000).withIdleness(60_000) })),
 *   web$.pipe(withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(1_000) })),
 * );
 * ```
 */
export function mergeTimed<I extends readonly Observable<StreamBatch<unknown, unknown>>[]>(
  ...inputs: I
): Observable<StreamBatch<TimedValueOf<I[number]>, TimedKeyOf<I[number]>>> {
  type T = TimedValueOf<I[number]>;
  type K = TimedKeyOf<I[number]>;
  (inputs as readonly unknown[]).forEach((input, index) => {
    if (!isObservable(input))
      throw new InvalidOptionError(
        `inputs[${index}]`,
        input,
        'must be an Observable of stream batches (e.g. from withEventTime)',
      );
  });
  return new Observable<StreamBatch<T, K>>((subscriber) => {
    // No input: nothing to merge, and no event time to hold back.
    if (inputs.length === 0) {
      subscriber.next([END_OF_STREAM]);
      subscriber.complete();
      return;
    }
    const valve = new WatermarkValve(inputs.length);
    const completed = new Array<boolean>(inputs.length).fill(false);
    let active = inputs.length;
    const flush = (out: StreamElement<T, K>[]): void => {
      if (out.length > 0) subscriber.next(out);
    };
    // Barrier alignment (Flink's aligned checkpoints): once an input has sent the barrier of the
    // checkpoint in progress, what it sends next is held back until every other input has sent it
    // too (or completed); then the barrier goes out once, followed by what was held back.
    let aligning: { barrier: CheckpointBarrier; release: () => void } | undefined;
    const held: (Held<T, K>[] | undefined)[] = new Array(inputs.length).fill(undefined);

    const processElements = (index: number, batch: StreamBatch<T, K>, out: StreamElement<T, K>[]): void => {
      for (let i = 0; i < batch.length; i++) {
        const element = batch[i]!;
        const queue = held[index];
        if (queue !== undefined) {
          queue.push(element);
          continue;
        }
        switch (element.kind) {
          case 'watermark':
            valve.inputWatermark(index, element.timestamp, out as StreamElement<unknown, unknown>[]);
            break;
          case 'status':
            valve.inputStatus(index, element.idle, out as StreamElement<unknown, unknown>[]);
            break;
          case 'barrier':
            if (element.checkpoint === undefined) out.push(element);
            else alignBarrier(index, element, out);
            break;
          default:
            out.push(element);
        }
      }
    };
    const alignBarrier = (index: number, barrier: CheckpointBarrier, out: StreamElement<T, K>[]): void => {
      if (aligning === undefined) {
        aligning = { barrier, release: barrier.checkpoint!.hold('mergeTimed') };
      } else if (aligning.barrier.checkpointId !== barrier.checkpointId) {
        throw new BarrierAlignmentError(aligning.barrier.checkpointId, barrier.checkpointId, index);
      }
      held[index] = [];
      finishAlignmentIfComplete(out);
    };
    const finishAlignmentIfComplete = (out: StreamElement<T, K>[]): void => {
      if (aligning === undefined) return;
      for (let i = 0; i < inputs.length; i++) if (!completed[i] && held[i] === undefined) return;
      const { barrier, release } = aligning;
      aligning = undefined;
      out.push(barrier);
      release();
      // Replay what was held back, in input order; it may start the next alignment.
      const queues = held.splice(0, held.length, ...new Array<undefined>(inputs.length));
      queues.forEach((queue, index) => {
        if (queue === undefined) return;
        const elements = queue.filter((e): e is StreamElement<T, K> => e !== INPUT_COMPLETED);
        processElements(index, elements, out);
        if (elements.length < queue.length) completeInput(index, out);
      });
    };
    const completeInput = (index: number, out: StreamElement<T, K>[]): void => {
      const queue = held[index];
      if (queue !== undefined) {
        queue.push(INPUT_COMPLETED);
        return;
      }
      completed[index] = true;
      valve.inputStatus(index, false, out as StreamElement<unknown, unknown>[]);
      valve.inputWatermark(index, MAX_WATERMARK, out as StreamElement<unknown, unknown>[]);
      finishAlignmentIfComplete(out);
      active--;
    };

    const subscriptions: Subscription[] = [];
    inputs.forEach((input, index) => {
      // An input that failed synchronously ended the merge: do not start the others.
      if (subscriber.closed) return;
      subscriptions.push(
        (input as Observable<StreamBatch<T, K>>).subscribe({
          next: (batch) => {
            const out: StreamElement<T, K>[] = [];
            try {
              processElements(index, batch, out);
            } catch (error) {
              subscriber.error(error);
              return;
            }
            flush(out);
            if (active === 0) subscriber.complete();
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            const out: StreamElement<T, K>[] = [];
            completeInput(index, out);
            flush(out);
            if (active === 0) subscriber.complete();
          },
        }),
      );
    });
    return () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    };
  });
}

/** Marks, in the elements held back from an input, where that input completed. */
const INPUT_COMPLETED: unique symbol = Symbol('inputCompleted');
type Held<T, K> = StreamElement<T, K> | typeof INPUT_COMPLETED;

/** An input sent the barrier of another checkpoint while the merge was aligning one. */
export class BarrierAlignmentError extends StreamError {
  constructor(aligning: number, received: number, input: number) {
    super(
      'BARRIER_ALIGNMENT',
      `mergeTimed was aligning the barriers of checkpoint ${aligning} when input ${input} sent the barrier of checkpoint ${received}; a pipeline takes one checkpoint at a time`,
    );
  }
}
