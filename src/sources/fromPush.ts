import {
  asyncScheduler,
  Observable,
  type ObservableInput,
  from as rxFrom,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from 'rxjs';
import type { SourceCheckpointLink } from '../core/source-link.js';
import { Counters } from '../core/counters.js';
import { InvalidOptionError } from '../core/errors.js';
import { attachSubscribingStage, deliver, FlowController, subscribeAs } from '../flow/demand.js';
import { BufferOverflowError } from '../flow/errors.js';
import { FlowMonitor, StageStats } from '../flow/monitor.js';
import type { SideOutput } from '../rx/side-output.js';
import { SourceMarkers } from './checkpoint-port.js';
import { positiveInteger } from '../core/options.js';

/** What a push buffer does with a value that arrives when it is full. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'error';

/** Options of `fromPush`. */
export interface FromPushOptions<T> {
  /** The bound: most values held while the pipeline cannot take them. A positive integer. */
  bufferSize: number;
  /**
   * What to do when a value arrives and the buffer is full, chosen explicitly: drop the oldest
   * buffered value, drop the arriving value, or fail with a `BufferOverflowError`.
   */
  overflow: OverflowPolicy;
  /** Most values per emitted batch; defaults to `bufferSize`. */
  batchSize?: number;
  /** Name in metrics and errors. */
  name?: string;
  /** Receives every dropped value (as well as the count). */
  dropped?: SideOutput<NoInfer<T>>;
  /** Where emissions are scheduled; defaults to `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Where this pipeline's metrics go; by default a new one (`source.monitor`). */
  monitor?: FlowMonitor;
}

/**
 * A push-only input (DOM events, WebSocket messages, a Subject, any Observable) behind a bounded
 * buffer with the user's overflow policy (docs/architecture.md §5). Values are buffered as they arrive and
 * emitted in batches when the pipeline downstream has room; while it has none, the buffer fills and
 * then the policy applies. Every drop is counted (`source.counters.get('dropped')`, metrics) and can
 * be routed to a side output; with `'error'` the stream fails with a `BufferOverflowError` naming
 * the buffer and its size. Completion and errors of the input are delivered after the buffered
 * values.
 *
 * @example
 * ```ts
 * // DOM events cannot wait: while the pipeline is busy, the newest 1000 wait and older ones are dropped.
 * const pageClicks = fromPush(fromEvent<MouseEvent>(document, 'click'), { bufferSize: 1000, overflow: 'drop-oldest' });
 * pageClicks.pipe(
 *   // An event's timeStamp counts from the page's time origin: add it to get epoch milliseconds.
 *   withEventTimeBatches({ timestamp: (e) => Math.round(performance.timeOrigin + e.timeStamp), watermarks: monotonousTimestamps() }),
 *   windowAll(tumblingEventTimeWindows(10_000)).aggregate(count()),
 *   toValues(),
 * ).subscribe((n) => console.log(`${n} clicks in 10 s; ${pageClicks.counters.get('dropped')} dropped so far`));
 * ```
 */
export function fromPush<T>(source: ObservableInput<T>, options: FromPushOptions<T>): PushSource<T> {
  return new PushSource(source, options);
}

/** The Observable returned by `fromPush`: value batches, plus counters and metrics. */
export class PushSource<T> extends Observable<readonly T[]> {
  readonly monitor: FlowMonitor;
  readonly name: string;
  /** `dropped`: values dropped by the overflow policy, over all subscriptions. */
  readonly counters = new Counters();

  constructor(input: ObservableInput<T>, options: FromPushOptions<T>) {
    const { bufferSize, overflow } = options;
    positiveInteger('bufferSize', bufferSize);
    if (overflow !== 'drop-oldest' && overflow !== 'drop-newest' && overflow !== 'error') {
      throw new InvalidOptionError('overflow', overflow, "must be 'drop-oldest', 'drop-newest' or 'error'");
    }
    const batchSize = positiveInteger('batchSize', options.batchSize ?? bufferSize);
    const scheduler = options.scheduler ?? asyncScheduler;
    const monitor = options.monitor ?? new FlowMonitor({ scheduler });
    const name = options.name ?? 'push buffer';
    const source$ = rxFrom(input);
    super((subscriber) => this.#run(subscriber, undefined));
    this.monitor = monitor;
    this.name = name;
    this.#run = (subscriber, link) => {
      const stats = new StageStats(name, 'push-buffer', bufferSize);
      monitor.add(stats);
      // A ring buffer of bufferSize slots: O(1) push, shift and drop-oldest.
      const ring: (T | undefined)[] = new Array<T | undefined>(bufferSize);
      let head = 0;
      let size = 0;
      let ended: { error?: unknown } | undefined;
      let scheduled: Subscription | undefined;
      let closed = false;

      const drop = (value: T): void => {
        stats.dropped++;
        this.counters.add('dropped');
        options.dropped?.emit(value);
      };
      const wake = (): void => {
        if (closed || scheduled !== undefined) return;
        scheduled = scheduler.schedule(() => {
          scheduled = undefined;
          drain();
        });
      };
      const controller = new FlowController(name, monitor, wake);
      attachSubscribingStage(controller);
      let emitted = 0;
      // Checkpoints: barriers go out between two batches; values buffered behind a barrier are
      // after it, and are lost if the pipeline crashes before the next checkpoint (no replay).
      const markers = new SourceMarkers({
        stats,
        emit: (batch) => {
          if (!closed) subscriber.next(batch);
        },
        position: () => ({ emitted }),
        idle: () => true,
        wake,
        fail: (error) => {
          if (closed) return;
          closed = true;
          subscription?.unsubscribe();
          subscriber.error(error);
        },
        complete: () => {
          if (closed) return;
          closed = true;
          subscriber.complete();
        },
      });
      const drain = (): void => {
        markers.start();
        markers.deliver();
        while (!closed && size > 0 && markers.mayEmit) {
          const allowed = controller.pullSize(batchSize);
          if (allowed < 1) {
            stats.block(scheduler.now());
            return;
          }
          stats.unblock(scheduler.now());
          const n = Math.min(size, allowed);
          const batch: T[] = new Array<T>(n);
          for (let i = 0; i < n; i++) {
            batch[i] = ring[head] as T;
            ring[head] = undefined;
            head = (head + 1) % bufferSize;
          }
          size -= n;
          stats.hold(size);
          stats.recordsOut += n;
          emitted += n;
          markers.emitting(() => deliver(controller, () => subscriber.next(batch)));
          markers.deliver();
        }
        if (!closed && size === 0 && ended && markers.mayEmit) {
          if ('error' in ended) {
            closed = true;
            subscriber.error(ended.error);
          } else if (!markers.finish()) {
            closed = true;
            subscriber.complete();
          }
        }
      };

      let subscription: Subscription | undefined;
      // The push input is not paced by the stages behind this buffer: hide their mark from it.
      subscription = subscribeAs(undefined, () =>
        source$.subscribe({
          next: (value) => {
            if (closed) return;
            stats.recordsIn++;
            if (size === bufferSize) {
              if (overflow === 'error') {
                closed = true;
                subscription?.unsubscribe();
                subscriber.error(
                  new BufferOverflowError(
                    name,
                    bufferSize,
                    value,
                    "choose overflow 'drop-oldest' or 'drop-newest', a larger bufferSize, or a faster pipeline",
                  ),
                );
                return;
              }
              if (overflow === 'drop-newest') {
                drop(value);
                return;
              }
              const oldest = ring[head] as T;
              head = (head + 1) % bufferSize;
              size--;
              drop(oldest);
            }
            ring[(head + size) % bufferSize] = value;
            size++;
            stats.hold(size);
            wake();
          },
          error: (error: unknown) => {
            ended = { error };
            wake();
          },
          complete: () => {
            ended = {};
            wake();
          },
        }),
      );
      // An input that overflowed synchronously, during subscribe, is left here.
      if (closed) subscription.unsubscribe();
      markers.connect(link);
      // Checkpoints and restores do not wait for a first value: the loop starts now, so markers go
      // out while the input is silent (Flink's sources take checkpoints with no data).
      if (link !== undefined) wake();
      return () => {
        markers.disconnect();
        closed = true;
        subscription?.unsubscribe();
        scheduled?.unsubscribe();
        stats.unblock(scheduler.now());
      };
    };
  }

  readonly #run: (subscriber: Subscriber<readonly T[]>, link: SourceCheckpointLink | undefined) => () => void;

  /**
   * This source as a participant in checkpoints (used by `Checkpointing.source`). A push source
   * cannot replay: its position is only the count of values emitted, and after a restore it starts
   * with whatever its input pushes next. Values pushed after the last checkpoint and before a crash
   * are lost (at most once for this input), while replayable inputs of the same pipeline stay
   * exactly once.
   */
  withCheckpoints(link: SourceCheckpointLink): Observable<readonly T[]> {
    return new Observable<readonly T[]>((subscriber) => this.#run(subscriber, link));
  }
}
