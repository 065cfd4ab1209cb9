/**
 * The sink that moves a pipeline's results into a Redux store without a dispatch per result: results
 * wait in a bounded buffer and leave as one action per tick of the scheduler (an animation frame
 * in the browser, or every `interval` ms), at most `maxPerAction` results per action. Each action
 * is tagged for RTK's `autoBatchEnhancer` and as the pipeline's own (pipeline-actions.ts).
 *
 * Bounded (docs/architecture.md §5): when results come faster than the ticks take them, the buffer
 * fills to `bufferSize` and then the overflow policy applies, as in `fromPush`; every drop is
 * counted (`counters`, `dropped`) and can go to a side output.
 */
import type { Action, Dispatch } from '@reduxjs/toolkit';
import { Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { Counters } from '../core/counters.js';
import { InvalidOptionError } from '../core/errors.js';
import { positiveInteger } from '../core/options.js';
import { BufferOverflowError } from '../flow/errors.js';
import type { SideOutput } from '../rx/side-output.js';
import type { OverflowPolicy } from '../sources/fromPush.js';
import { frameScheduler } from './frame-scheduler.js';
import { tagPipelineAction } from './pipeline-actions.js';

/** Options of `dispatchResults`. */
export interface DispatchResultsOptions<T> {
  /** Builds the action for a batch of results, e.g. a window-results slice's `resultsReceived`. */
  action: (results: T[]) => Action;
  /** Most results waiting for dispatch. A positive integer. */
  bufferSize: number;
  /** What happens to a result that arrives when the buffer is full. */
  overflow: OverflowPolicy;
  /** Most results per action; default 1000. */
  maxPerAction?: number;
  /** Processing time between two dispatches, in ms, on `scheduler`; default 0 (the next frame or tick). */
  interval?: number;
  /** Where dispatches are scheduled; default `animationFrameScheduler` in a browser, else `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** `dispatches` (actions sent), `dispatched` (results in them) and `dropped`; default a new `Counters`. */
  counters?: Counters;
  /** Receives every dropped result. */
  dropped?: SideOutput<NoInfer<T>>;
}

/**
 * Dispatches results in batches: one action per frame (or per `interval` ms), at most
 * `maxPerAction` results each, tagged for `autoBatchEnhancer` and as the pipeline's own. Emits each
 * batch after dispatching it; completes once the last buffered result is dispatched after the
 * input completes (an error of the input, too, comes after the buffered results).
 *
 * @example
 * ```ts
 * const results = createWindowResultsSlice<string, number>({ name: 'clicksPerPage', retention: 60_000 });
 * const store = configureStore({ reducer: { clicksPerPage: results.reducer } });
 * clicks$.pipe(
 *   withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((c) => c.page),
 *   window(tumblingEventTimeWindows(10_000)).aggregate(count()),
 *   toValues(),
 *   dispatchResults(store.dispatch, { action: results.actions.resultsReceived, bufferSize: 10_000, overflow: 'drop-oldest' }),
 * ).subscribe();
 * ```
 */
export function dispatchResults<T>(
  dispatch: Dispatch,
  options: DispatchResultsOptions<T>,
): OperatorFunction<T, readonly T[]> {
  if (typeof dispatch !== 'function')
    throw new InvalidOptionError('dispatch', dispatch, "must be the store's dispatch function");
  if (typeof options.action !== 'function')
    throw new InvalidOptionError('action', options.action, 'must be a function (results) => action');
  const bufferSize = positiveInteger('bufferSize', options.bufferSize);
  const { overflow } = options;
  if (overflow !== 'drop-oldest' && overflow !== 'drop-newest' && overflow !== 'error') {
    throw new InvalidOptionError('overflow', overflow, "must be 'drop-oldest', 'drop-newest' or 'error'");
  }
  const maxPerAction = positiveInteger('maxPerAction', options.maxPerAction ?? 1000);
  const interval = options.interval ?? 0;
  if (!(typeof interval === 'number' && interval >= 0 && Number.isFinite(interval)))
    throw new InvalidOptionError('interval', interval, 'must be a number of ms >= 0');
  const counters = options.counters ?? new Counters();
  return (source) =>
    new Observable<readonly T[]>((subscriber) => {
      const scheduler = options.scheduler ?? frameScheduler();
      // A queue with a moving head: O(1) per result; compacted when the head passes half of it.
      let queue: T[] = [];
      let head = 0;
      let ended: { error?: unknown } | undefined;
      let tick: Subscription | undefined;
      const size = (): number => queue.length - head;
      const drop = (value: T): void => {
        counters.add('dropped');
        options.dropped?.emit(value);
      };
      const finishIfDone = (): void => {
        if (ended === undefined || size() > 0) return;
        if ('error' in ended) subscriber.error(ended.error);
        else subscriber.complete();
      };
      const flush = (): void => {
        tick = undefined;
        const n = Math.min(size(), maxPerAction);
        const batch = queue.slice(head, head + n);
        head += n;
        if (head > 1024 && head * 2 > queue.length) {
          queue = queue.slice(head);
          head = 0;
        }
        counters.add('dispatches');
        counters.add('dispatched', n);
        dispatch(tagPipelineAction(options.action(batch)));
        subscriber.next(batch);
        if (size() > 0) schedule();
        else finishIfDone();
      };
      const schedule = (): void => {
        if (tick === undefined && !subscriber.closed) tick = scheduler.schedule(flush, interval);
      };
      const input = source.subscribe({
        next: (value) => {
          if (size() === bufferSize) {
            if (overflow === 'error') {
              subscriber.error(
                new BufferOverflowError(
                  'dispatchResults',
                  bufferSize,
                  value,
                  "choose overflow 'drop-oldest' or 'drop-newest', a larger bufferSize or maxPerAction, or a shorter interval",
                ),
              );
              return;
            }
            if (overflow === 'drop-newest') {
              drop(value);
              return;
            }
            drop(queue[head]!);
            head++;
          }
          queue.push(value);
          schedule();
        },
        error: (error: unknown) => {
          ended = { error };
          if (tick === undefined) finishIfDone();
        },
        complete: () => {
          ended = {};
          if (tick === undefined) finishIfDone();
        },
      });
      return () => {
        input.unsubscribe();
        tick?.unsubscribe();
      };
    });
}
