/**
 * Dispatched actions as a pipeline source. The middleware hands every accepted action to a
 * `fromPush` buffer (src/sources/fromPush.ts): a push-only input behind an explicit bound and
 * overflow policy, which a checkpointed pipeline accepts (`checkpoints.source(id, source)`, at most
 * once: actions cannot be replayed). Dispatch never waits for the pipeline.
 */
import type { Action, Middleware, UnknownAction } from '@reduxjs/toolkit';
import { asyncScheduler, Subject, type SchedulerLike } from 'rxjs';
import { InvalidOptionError } from '../core/errors.js';
import type { FlowMonitor } from '../flow/monitor.js';
import type { SideOutput } from '../rx/side-output.js';
import { fromPush, type OverflowPolicy, type PushSource } from '../sources/fromPush.js';
import { isPipelineAction } from './pipeline-actions.js';

/** An action as the pipeline receives it: the action and its event time. */
export interface ActionEvent<A> {
  readonly action: A;
  /** Event time in ms, from `eventTime` (by default `meta.timestamp`, else the receive time). */
  readonly timestamp: number;
}

/** Options of `createActionSource`. */
export interface ActionSourceOptions<A> {
  /** Most actions held while the pipeline cannot take them (see `fromPush`). */
  bufferSize: number;
  /** What happens to an action that arrives when the buffer is full (see `fromPush`). */
  overflow: OverflowPolicy;
  /** Which actions go to the pipeline; default all (the pipeline's own are left out unless `includePipelineActions`). */
  filter?: (action: A) => boolean;
  /** Also take actions the pipeline dispatched (`isPipelineAction`). Default false: no feedback loop. */
  includePipelineActions?: boolean;
  /**
   * Event time of an action; `receivedAt` is the scheduler's time at dispatch. Default
   * `defaultActionTime`: a finite number in `meta.timestamp`, else `receivedAt`.
   */
  eventTime?: (action: A, receivedAt: number) => number;
  /** Processing time (receive time, emissions); default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Name in metrics and errors; default 'redux actions'. */
  name?: string;
  /** Receives the actions dropped by the overflow policy. */
  dropped?: SideOutput<ActionEvent<A>>;
  /** Where the buffer's metrics go (see `fromPush`). */
  monitor?: FlowMonitor;
}

/** What `createActionSource` returns: the middleware to install and the source to read. */
export interface ActionSource<A> {
  /** Add to the store's middleware: `configureStore({ middleware: (d) => d().concat(actions.middleware) })`. */
  readonly middleware: Middleware;
  /** The accepted actions, in batches, behind the bounded buffer. Counts drops (`source.counters`). */
  readonly source: PushSource<ActionEvent<A>>;
}

/**
 * The default event time of an action: `meta.timestamp` when it is a finite number, else the time
 * the middleware received it.
 *
 * @example
 * ```ts
 * defaultActionTime({ type: 'click', meta: { timestamp: 1_000 } }, 5_000); // 1000
 * defaultActionTime({ type: 'click' }, 5_000); // 5000
 * ```
 */
export function defaultActionTime(action: unknown, receivedAt: number): number {
  const timestamp = (action as { meta?: { timestamp?: unknown } } | null)?.meta?.timestamp;
  return typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : receivedAt;
}

/**
 * The timestamp assigner for an action source's events, for `withEventTimeBatches`.
 *
 * @example
 * ```ts
 * const actions = createActionSource({ bufferSize: 1_000, overflow: 'drop-oldest' });
 * actions.source.pipe(withEventTimeBatches({ timestamp: actionTimestamp, watermarks: boundedOutOfOrderness(500) }));
 * ```
 */
export function actionTimestamp(event: ActionEvent<unknown>): number {
  return event.timestamp;
}

/**
 * Exposes the actions dispatched to a store as a pipeline source. Each accepted action is passed on
 * after the reducers ran, with its event time; the pipeline's own actions (dispatched by
 * `dispatchResults` or the status adapter) are left out unless asked for. Actions dispatched while
 * nothing subscribes to `source` are not kept. The source has a bound and an overflow policy like
 * any push input (docs/architecture.md §5), and takes part in checkpoints as `fromPush` does.
 *
 * @example
 * ```ts
 * const actions = createActionSource<UnknownAction>({ bufferSize: 10_000, overflow: 'drop-oldest', filter: (a) => a.type === 'ui/clicked' });
 * const store = configureStore({ reducer: { clicksPerPage: clicksPerPage.reducer }, middleware: (d) => d().concat(actions.middleware) });
 * actions.source.pipe(
 *   withEventTimeBatches({ timestamp: actionTimestamp, watermarks: boundedOutOfOrderness(1_000) }),
 *   windowAll(tumblingEventTimeWindows(10_000)).aggregate(count()),
 *   toValues(),
 * ).subscribe((n) => console.log(`${n} clicks in 10 s`));
 * ```
 */
export function createActionSource<A extends Action = UnknownAction>(options: ActionSourceOptions<A>): ActionSource<A> {
  const filter = options.filter;
  if (filter !== undefined && typeof filter !== 'function')
    throw new InvalidOptionError('filter', filter, 'must be a function (action) => boolean');
  const eventTime = options.eventTime ?? defaultActionTime;
  if (typeof eventTime !== 'function')
    throw new InvalidOptionError('eventTime', eventTime, 'must be a function (action, receivedAt) => number');
  const scheduler = options.scheduler ?? asyncScheduler;
  const includeOwn = options.includePipelineActions === true;
  const arrivals = new Subject<ActionEvent<A>>();
  const source = fromPush(arrivals, {
    bufferSize: options.bufferSize,
    overflow: options.overflow,
    scheduler,
    name: options.name ?? 'redux actions',
    ...(options.dropped === undefined ? {} : { dropped: options.dropped }),
    ...(options.monitor === undefined ? {} : { monitor: options.monitor }),
  });
  const middleware: Middleware = () => (next) => (action) => {
    const result = next(action);
    if ((includeOwn || !isPipelineAction(action)) && (filter === undefined || filter(action as A))) {
      arrivals.next({ action: action as A, timestamp: eventTime(action as A, scheduler.now()) });
    }
    return result;
  };
  return { middleware, source };
}
