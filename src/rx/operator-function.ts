import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { END_OF_STREAM, MAX_WATERMARK, type StreamBatch, type StreamElement } from '../core/elements.js';
import { failThroughPipeline } from '../core/checkpointing.js';
import { processBatch, type OperatorRuntime, type StreamOperator } from '../core/operator.js';
import { countWhenAdopted, UNCOUNTED, type BatchCounter } from '../core/metrics/counting.js';
import { schedulerProcessingTime } from './processing-time.js';

/** Options every operator built on the engine accepts. */
export interface SchedulerOption {
  /**
   * Where processing time and processing-time timers come from. Defaults to RxJS's
   * `asyncScheduler`; pass a `TestScheduler` in marble tests.
   */
  scheduler?: SchedulerLike;
}

/**
 * Turns an engine operator into a pipeable RxJS operator over element batches (docs/architecture.md §0). A new
 * engine operator is created for every subscription; its processing-time timers run on the injected
 * scheduler and are cancelled when the subscription ends. If the input completes before its
 * watermark reached +infinity, the end-of-stream watermark is processed first, so every event-time
 * window and timer fires before completion.
 *
 * Errors thrown by the engine (user functions, invalid input) end the stream with that error.
 */
export function fromStreamOperator<I, KI, O, KO>(
  create: (runtime: OperatorRuntime) => StreamOperator<I, KI, O, KO>,
  options: SchedulerOption = {},
): OperatorFunction<StreamBatch<I, KI>, StreamBatch<O, KO>> {
  return (source) =>
    new Observable<StreamBatch<O, KO>>((subscriber) => {
      let ended = false;
      const flush = (out: StreamElement<O, KO>[]): void => {
        if (out.length === 0) return;
        probe.emitted(out); // counted per batch (docs/monitoring.md)
        subscriber.next(out);
      };
      let operator: StreamOperator<I, KI, O, KO>;
      let probe: BatchCounter = UNCOUNTED;
      const fail = failThroughPipeline(() => operator, subscriber);
      const processingTime = schedulerProcessingTime<O, KO>(options.scheduler ?? asyncScheduler, flush, fail);

      try {
        operator = create({ processingTime: processingTime.service });
        countWhenAdopted(operator, (counter) => {
          probe = counter;
        });
      } catch (error) {
        subscriber.error(error);
        return;
      }

      const run = (batch: StreamBatch<I, KI>): void => {
        const out: StreamElement<O, KO>[] = [];
        const start = probe.begin();
        try {
          processBatch(operator, batch, out);
        } catch (error) {
          fail(error);
          return;
        }
        probe.end(start, batch);
        flush(out);
      };

      const subscription = source.subscribe({
        next: (batch) => {
          if (!ended) ended = endsEventTime(batch);
          run(batch);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          if (!ended) {
            ended = true;
            run([END_OF_STREAM]);
          }
          subscriber.complete();
        },
      });

      return () => {
        subscription.unsubscribe();
        processingTime.cancelAll();
        operator.dispose?.();
      };
    });
}

/** Whether the last watermark in the batch is the end-of-stream watermark. */
function endsEventTime(batch: StreamBatch<unknown, unknown>): boolean {
  for (let i = batch.length - 1; i >= 0; i--) {
    const element = batch[i]!;
    if (element.kind === 'watermark') return element.timestamp === MAX_WATERMARK;
  }
  return false;
}
