/**
 * One job of an async stage: a request (asyncMap) or a write (a sink) for its payload, run as an
 * Observable with an optional timeout, and its entry in the stage's queue.
 */
import { from as rxFrom, type ObservableInput, type Subscription } from 'rxjs';
import type { AsyncStageConfig } from './async-config.js';
import { AsyncRequestError, AsyncTimeoutError } from './errors.js';

export const WAITING = 0;
export const RUNNING = 1;
export const DONE = 2;

/** A job or a marker in the queue of an async stage. */
export interface AsyncEntry<O> {
  /** Arrival number: its index in the queue is `seq - seqBase`. */
  readonly seq: number;
  /** Records this entry holds against the bound (0 for a marker). */
  readonly size: number;
  readonly marker: boolean;
  /** The job's input; cleared once emitted so that the queue never retains records. */
  payload: unknown;
  state: number;
  output: readonly O[] | undefined;
  emitted: boolean;
  cancel: (() => void) | undefined;
}

/** How the stage runs one job and turns its results into output. */
export interface AsyncJobSpec<P, O> {
  /** Starts the request or write for `payload`; a Promise or an Observable (all its values count). */
  invoke(payload: P): ObservableInput<unknown>;
  /** The output of a completed job, from the values its request produced. */
  complete(payload: P, results: unknown[]): readonly O[];
  /** The output of a timed-out job; if absent, a timeout fails the stream with AsyncTimeoutError. */
  onTimeout?: ((payload: P) => readonly O[]) | undefined;
  /** The value named in errors about `payload`. */
  describe(payload: P): unknown;
}

/**
 * Runs the job of `entry`: collects the values of its request, then sets its output and calls
 * `done(entry)`; or calls `fail` with `AsyncRequestError`, `AsyncTimeoutError` or what `spec` threw.
 * Each job ends exactly once; `entry.cancel` stops it without a call to either.
 */
export function runJob<P, O>(
  entry: AsyncEntry<O>,
  spec: AsyncJobSpec<P, O>,
  config: AsyncStageConfig,
  done: (entry: AsyncEntry<O>) => void,
  fail: (error: unknown) => void,
): void {
  const payload = entry.payload as P;
  entry.state = RUNNING;
  const results: unknown[] = [];
  let finished = false;
  let subscription: Subscription | undefined;
  let timer: Subscription | undefined;
  const failWith = (error: unknown): void => {
    finished = true;
    fail(error);
  };
  const finish = (output: () => readonly O[]): void => {
    let out: readonly O[];
    try {
      out = output();
    } catch (error) {
      failWith(error);
      return;
    }
    finished = true;
    timer?.unsubscribe();
    entry.cancel = undefined;
    entry.state = DONE;
    entry.output = out;
    done(entry);
  };
  entry.cancel = () => {
    finished = true;
    subscription?.unsubscribe();
    timer?.unsubscribe();
  };
  const timeout = config.timeout;
  if (timeout !== undefined) {
    timer = config.scheduler.schedule(() => {
      if (finished) return;
      subscription?.unsubscribe();
      const onTimeout = spec.onTimeout;
      if (!onTimeout) failWith(new AsyncTimeoutError(config.name, spec.describe(payload), timeout));
      else finish(() => onTimeout(payload));
    }, timeout);
  }
  try {
    subscription = rxFrom(spec.invoke(payload)).subscribe({
      next: (value) => {
        if (!finished) results.push(value);
      },
      error: (error: unknown) => {
        if (!finished) failWith(new AsyncRequestError(config.name, spec.describe(payload), error));
      },
      complete: () => {
        if (!finished) finish(() => spec.complete(payload, results));
      },
    });
    if (finished) subscription.unsubscribe();
  } catch (error) {
    if (!finished) failWith(new AsyncRequestError(config.name, spec.describe(payload), error));
  }
}
