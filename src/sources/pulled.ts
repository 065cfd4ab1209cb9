import { asyncScheduler, Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import type { SourceCheckpointLink } from '../core/source-link.js';
import { InvalidOptionError } from '../core/errors.js';
import { attachSubscribingStage, deliver, FlowController } from '../flow/demand.js';
import { FlowMonitor, StageStats } from '../flow/monitor.js';
import { SourceMarkers } from './checkpoint-port.js';
import { positiveInteger } from '../core/options.js';

/** What a pull returns: the values read (possibly none) and whether the data is exhausted. */
export interface PullResult<T> {
  readonly values: readonly T[];
  readonly done: boolean;
}

/**
 * The reading side of a pulled source, one per subscription. `pull(max)` reads at most `max`
 * values, synchronously or through a promise; `position()` says where the next pull starts.
 */
export interface Puller<T, P> {
  /**
   * Reads at most `max` values (at least 1: the room the pipeline has), returned at once or through
   * a promise, with `done: true` once the data is exhausted. The source calls it again only after
   * the previous promise settled, and never after `done`; a throw or a rejection fails the stream.
   */
  pull(max: number): PullResult<T> | PromiseLike<PullResult<T>>;
  /** The position after the last value pulled: where a restored source resumes. Plain data. */
  position(): P;
  /** Releases the underlying resource (iterator `return`, stream reader, file handle). */
  close?(): void;
}

/** Options every pulled source accepts. */
export interface PulledSourceOptions<P> {
  /** Most values per emitted batch (default depends on the source). A positive integer. */
  batchSize?: number;
  /** Name in metrics and errors. */
  name?: string;
  /** Where pulls are scheduled and processing time comes from; defaults to `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Where this pipeline's metrics go; by default the source creates its own (`source.monitor`). */
  monitor?: FlowMonitor;
  /** Resume at this position (from `source.position` of an earlier run, e.g. out of a checkpoint). */
  from?: P;
  /**
   * Longest run of pulls, in ms of processing time, before the source yields to the scheduler (so
   * timers and I/O run even behind a fast pipeline; a pull whose promise settles without I/O does not
   * yield by itself). Default 25.
   */
  yieldAfterMs?: number;
}

/**
 * An Observable of value batches that pulls its data: it reads the next batch only when every bounded
 * stage downstream has room (see `FlowController`), on its scheduler, and never more values than the
 * smallest credit downstream. Each subscription reads the data anew (from `from` if given).
 *
 * `position` is where the most recent subscription would resume: after the last value it emitted.
 * Because a batch is delivered synchronously, a checkpoint barrier injected between two batches sees
 * exactly this position.
 */
export class PulledSource<T, P> extends Observable<readonly T[]> {
  /** Where the metrics of pipelines fed by this source are collected. */
  readonly monitor: FlowMonitor;
  readonly name: string;
  #position: P | undefined;
  readonly #open: (from: P | undefined) => Puller<T, P>;
  readonly #from: P | undefined;
  readonly #settings: RunSettings;

  constructor(
    open: (from: P | undefined) => Puller<T, P>,
    options: PulledSourceOptions<P> & { defaultBatchSize: number; defaultName: string },
  ) {
    const batchSize = positiveInteger('batchSize', options.batchSize ?? options.defaultBatchSize);
    const yieldAfterMs = options.yieldAfterMs ?? 25;
    if (!(yieldAfterMs >= 0)) throw new InvalidOptionError('yieldAfterMs', yieldAfterMs, 'must be a number >= 0');
    const scheduler = options.scheduler ?? asyncScheduler;
    const monitor = options.monitor ?? new FlowMonitor({ scheduler });
    const name = options.name ?? options.defaultName;
    super((subscriber) => this.#run(subscriber, undefined));
    this.monitor = monitor;
    this.name = name;
    this.#position = options.from;
    this.#open = open;
    this.#from = options.from;
    this.#settings = { batchSize, yieldAfterMs, scheduler, name };
  }

  /**
   * This source as a participant in checkpoints: the same data, and each subscription connects to
   * `link` so that the coordinator can inject barriers between batches and read the position at
   * each. Used by `Checkpointing.source`; you do not call it yourself.
   */
  withCheckpoints(link: SourceCheckpointLink): Observable<readonly T[]> {
    return new Observable<readonly T[]>((subscriber) => this.#run(subscriber, link));
  }

  /** The position after the last batch emitted by the latest subscription (`from` before any). */
  get position(): P | undefined {
    return this.#position;
  }

  #run(subscriber: Subscriber<readonly T[]>, link: SourceCheckpointLink | undefined): () => void {
    const o = this.#settings;
    const { batchSize, yieldAfterMs, scheduler } = o;
    const stats = new StageStats(o.name, 'source', Infinity);
    this.monitor.add(stats);
    let puller: Puller<T, P> | undefined;
    let scheduled: Subscription | undefined;
    let pending = false;
    let closed = false;
    let sliceStart = 0;
    const wake = (): void => {
      if (closed || pending || scheduled !== undefined) return;
      scheduled = scheduler.schedule(() => {
        scheduled = undefined;
        // A pull went out since this was scheduled (resume or signal during an emit, then the loop
        // went on): its settling runs the loop. Two pulls at once would interleave the puller's reads.
        if (pending) return;
        sliceStart = scheduler.now();
        loop();
      });
    };
    const controller = new FlowController(o.name, this.monitor, wake);
    // The bounded stage whose subscription reached us limits even the first pull.
    attachSubscribingStage(controller);
    const fail = (error: unknown): void => {
      if (closed) return;
      closed = true;
      subscriber.error(error);
    };
    // Checkpoints: barriers and restore markers go out between two batches.
    const markers = new SourceMarkers({
      stats,
      emit: (batch) => {
        if (!closed) subscriber.next(batch);
      },
      position: () => this.#position,
      idle: () => !pending,
      wake,
      fail,
      complete: () => {
        if (closed) return;
        closed = true;
        subscriber.complete();
      },
    });
    // Emits one pull's values; returns whether the source goes on.
    const emit = (result: PullResult<T>): boolean => {
      this.#position = puller!.position();
      const values = result.values;
      if (values.length > 0) {
        stats.recordsIn += values.length;
        stats.recordsOut += values.length;
        markers.emitting(() => deliver(controller, () => subscriber.next(values)));
      }
      markers.deliver();
      if (closed) return false;
      if (result.done) {
        // A checkpointed source completes when its coordinator says so (after a final barrier).
        if (markers.finish()) return false;
        closed = true;
        subscriber.complete();
        return false;
      }
      return true;
    };
    const loop = (): void => {
      markers.start();
      for (;;) {
        markers.deliver();
        if (closed || !markers.mayEmit) return;
        const size = controller.pullSize(batchSize);
        if (size < 1) {
          // Backpressured: a stage's signal() wakes us when it has room again.
          stats.block(scheduler.now());
          return;
        }
        stats.unblock(scheduler.now());
        let result: PullResult<T> | PromiseLike<PullResult<T>>;
        try {
          result = puller!.pull(size);
        } catch (error) {
          fail(error);
          return;
        }
        if (isPromiseLike(result)) {
          pending = true;
          result.then(
            (r) => {
              pending = false;
              if (closed || !emit(r)) return;
              // A pull that settles at once (buffered data) is as synchronous as one that returns:
              // the same slice bounds a run of them, or timers (checkpoints) would never get a turn.
              if (scheduler.now() - sliceStart >= yieldAfterMs) wake();
              else loop();
            },
            (error: unknown) => {
              pending = false;
              fail(error);
            },
          );
          return;
        }
        if (!emit(result)) return;
        if (scheduler.now() - sliceStart >= yieldAfterMs) {
          wake();
          return;
        }
      }
    };

    // Opening happens at subscription; the first pull waits for the scheduler, like every pull.
    try {
      puller = this.#open(this.#from);
      this.#position = puller.position();
    } catch (error) {
      subscriber.error(error);
      return () => {};
    }
    markers.connect(link);
    wake();
    return () => {
      markers.disconnect();
      closed = true;
      scheduled?.unsubscribe();
      scheduled = undefined;
      stats.unblock(scheduler.now());
      try {
        puller?.close?.();
      } catch {
        // Closing is best effort: the subscription is over either way.
      }
    };
  }
}

interface RunSettings {
  readonly batchSize: number;
  readonly yieldAfterMs: number;
  readonly scheduler: SchedulerLike;
  readonly name: string;
}

function isPromiseLike<R>(value: R | PromiseLike<R>): value is PromiseLike<R> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Validates a `from` position of the `{ index }` form used by iterable-like sources. */
export function checkIndexPosition(from: { index: number } | undefined): number {
  if (from === undefined) return 0;
  if (typeof from !== 'object' || from === null)
    throw new InvalidOptionError('from', from, 'must be a position { index } from checkpoints.position(id)');
  if (!Number.isSafeInteger(from.index) || from.index < 0)
    throw new InvalidOptionError('from.index', from.index, 'must be a non-negative integer');
  return from.index;
}
