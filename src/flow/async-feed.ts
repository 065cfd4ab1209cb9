/**
 * Feeding an async stage from a timed stream: batches within the stage's bound, runs of records as
 * jobs, every other element as a marker in its place; or from a stream of value arrays.
 */
import type { Observable } from 'rxjs';
import {
  END_OF_STREAM,
  MAX_WATERMARK,
  type StreamBatch,
  type StreamElement,
  type StreamRecord,
} from '../core/elements.js';
import type { AsyncStage } from './async-stage.js';

/**
 * Feeds a timed stream into an async stage (asyncMap, the async sinks): a batch is taken only within
 * the stage's bound; each run of consecutive records goes to `pushRecords`, which turns it into jobs;
 * every other element becomes a marker in its place. A completed input ends event time first, as the
 * engine adapter does. Returns the teardown.
 */
export function feedElements<T, K, P, R>(
  source: Observable<StreamBatch<T, K>>,
  stage: AsyncStage<P, StreamElement<R, K>>,
  pushRecords: (run: StreamRecord<T, K>[]) => void,
  fail: (error: unknown) => void,
): () => void {
  let ended = false;
  const subscription = stage.subscribeUpstream(() =>
    source.subscribe({
      next: (batch) => {
        let count = 0;
        for (let i = 0; i < batch.length; i++) if (batch[i]!.kind === 'record') count++;
        if (
          !stage.accept(count, () => (batch.find((e) => e.kind === 'record') as StreamRecord<T, K> | undefined)?.value)
        )
          return;
        let run: StreamRecord<T, K>[] = [];
        for (let i = 0; i < batch.length; i++) {
          const element = batch[i]!;
          if (element.kind === 'record') {
            run.push(element);
            continue;
          }
          if (run.length > 0) {
            pushRecords(run);
            run = [];
          }
          if (element.kind === 'watermark' && element.timestamp === MAX_WATERMARK) ended = true;
          stage.pushMarker(element);
        }
        if (run.length > 0) pushRecords(run);
        stage.pump();
      },
      error: (error: unknown) => {
        stage.dispose();
        stage.reportFailure(error);
        fail(error);
      },
      complete: () => {
        if (!ended) stage.pushMarker(END_OF_STREAM);
        stage.end();
      },
    }),
  );
  return () => {
    subscription.unsubscribe();
    stage.dispose();
  };
}

/**
 * Feeds a stream of value arrays into an async stage (asyncMapValues, asyncSinkValues): an array is
 * taken only within the stage's bound, and `pushValues` turns it into jobs. Returns the teardown.
 */
export function feedValues<T, P, R>(
  source: Observable<readonly T[]>,
  stage: AsyncStage<P, R>,
  pushValues: (values: readonly T[]) => void,
  fail: (error: unknown) => void,
): () => void {
  const subscription = stage.subscribeUpstream(() =>
    source.subscribe({
      next: (values) => {
        if (values.length === 0 || !stage.accept(values.length, () => values[0])) return;
        pushValues(values);
        stage.pump();
      },
      error: (error: unknown) => {
        stage.dispose();
        fail(error);
      },
      complete: () => stage.end(),
    }),
  );
  return () => {
    subscription.unsubscribe();
    stage.dispose();
  };
}
