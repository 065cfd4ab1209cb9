/**
 * The engine shared by `asyncMap` and the async sinks: a bounded queue at an asynchronous boundary,
 * in the spirit of Flink's AsyncWaitOperator and its StreamElementQueue. It holds jobs (one request
 * per record for asyncMap, one write per run of records for a sink) and markers (watermarks,
 * barriers, status and control elements), starts at most `concurrency` jobs at once in arrival
 * order, and emits results:
 * - ordered: exactly in arrival order (Flink's OrderedStreamElementQueue);
 * - unordered: a job's result as soon as it completes, but never across a marker: everything before
 *   a marker is emitted before it, everything after it after it (Flink's UnorderedStreamElementQueue
 *   segments by watermark; here every non-record element is a segment boundary, so barriers keep
 *   their place too).
 *
 * Checkpoints: a barrier is a marker, so it leaves the stage only after every job that arrived before
 * it has completed and been emitted. A checkpoint therefore never contains in-flight requests; it
 * waits for them. (Flink's AsyncWaitOperator instead copies the queued inputs into operator state and
 * re-sends them on restore; waiting keeps snapshots free of half-done requests and of input values
 * that would have to be serializable, at the cost of a barrier delayed by the slowest request.)
 *
 * The stage's bound is `bufferSize` records held (waiting, in flight, or completed and not emitted).
 * Its credit upstream is `bufferSize - held`, so a pulled source never sends more than fits, except
 * when a synchronous step in between multiplies records (flatMap, a window firing): such a batch is
 * still accepted and the overshoot shows in `peakOccupancy`. Input of a stage that no pulled source
 * feeds cannot be paused, so a batch of it that does not fit fails with `BufferOverflowError`.
 *
 * Results are held, not emitted, while the stage's own downstream has no credit: that is how a full
 * sink stops an async map, and through it the source.
 */
import { from as rxFrom, type Observable, type ObservableInput, type SchedulerLike, type Subscription } from 'rxjs';
import { END_OF_STREAM, MAX_WATERMARK, type StreamBatch, type StreamElement, type StreamRecord } from '../core/elements.js';
import { linkToPipeline, PIPELINE_CONTROL, reportPipelineFailure, type PendingCheckpoint, type PipelineLink } from '../core/checkpointing.js';
import { InvalidOptionError } from '../core/errors.js';
import { attachSubscribingStage, deliver, FlowController, subscribeAs, Upstreams, type FlowStage } from './demand.js';
import { AsyncRequestError, AsyncTimeoutError, BufferOverflowError } from './errors.js';
import { FlowMonitor, StageStats } from './monitor.js';

const WAITING = 0;
const RUNNING = 1;
const DONE = 2;

interface Entry<O> {
  /** Arrival number: its index in the queue is `seq - #seqBase`. */
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

/** Options common to async stages. */
export interface AsyncStageOptions {
  /** Most requests (or writes) in flight at once. A positive integer. */
  concurrency?: number;
  /** Most records held by the stage (waiting, in flight, completed and not yet emitted). */
  bufferSize?: number;
  /** Name in metrics and errors. */
  name?: string;
  /** Where timeouts and wake-ups are scheduled; defaults to `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Where the stage reports metrics when no pulled source feeds it (otherwise the source's monitor). */
  monitor?: FlowMonitor;
}

/** Validated stage settings. */
export interface AsyncStageConfig {
  readonly name: string;
  readonly kind: 'async-map' | 'sink';
  readonly concurrency: number;
  readonly bufferSize: number;
  readonly ordered: boolean;
  readonly timeout: number | undefined;
  readonly scheduler: SchedulerLike;
  readonly monitor: FlowMonitor | undefined;
}

/**
 * Validates the options of an async stage when the operator is built.
 *
 * @example
 * ```ts
 * const config = asyncStageConfig(options, { name: 'mySink', kind: 'sink', concurrency: 1 }, asyncScheduler);
 * ```
 */
export function asyncStageConfig(
  options: AsyncStageOptions & { ordered?: boolean; timeout?: number },
  defaults: { name: string; kind: 'async-map' | 'sink'; concurrency: number; bufferSize?: number },
  scheduler: SchedulerLike,
): AsyncStageConfig {
  const concurrency = options.concurrency ?? defaults.concurrency;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new InvalidOptionError('concurrency', concurrency, 'must be a positive integer');
  const bufferSize = options.bufferSize ?? Math.max(concurrency, defaults.bufferSize ?? concurrency);
  if (!Number.isSafeInteger(bufferSize) || bufferSize < concurrency) {
    throw new InvalidOptionError('bufferSize', bufferSize, `must be an integer >= concurrency (${concurrency})`);
  }
  const timeout = options.timeout;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) throw new InvalidOptionError('timeout', timeout, 'must be a positive finite number of milliseconds');
  if (options.ordered !== undefined && typeof options.ordered !== 'boolean') throw new InvalidOptionError('ordered', options.ordered, 'must be a boolean');
  return {
    name: options.name ?? defaults.name,
    kind: defaults.kind,
    concurrency,
    bufferSize,
    ordered: options.ordered ?? true,
    timeout,
    scheduler,
    monitor: options.monitor,
  };
}

/**
 * One subscription's queue. `emit` sends a batch downstream (the wrapper wraps it in `deliver`),
 * `fail` ends the stream with an error, `done` completes it.
 */
export class AsyncStage<P, O> implements FlowStage {
  readonly name: string;
  readonly stats: StageStats;
  /** The demand side of what this stage emits: downstream stages register here. */
  readonly out: FlowController;
  readonly #config: AsyncStageConfig;
  readonly #spec: AsyncJobSpec<P, O>;
  readonly #upstreams: Upstreams;
  readonly #emit: (batch: O[]) => void;
  readonly #fail: (error: unknown) => void;
  readonly #done: () => void;
  #queue: Entry<O>[] = [];
  #head = 0;
  /** Arrival number of `#queue[0]`, and of the next entry. */
  #seqBase = 0;
  #seq = 0;
  // Unordered mode: markers not yet emitted (arrival numbers), completed jobs of the first segment
  // not yet emitted, and the number of jobs of the first segment not yet emitted.
  #markers: number[] = [];
  /** Barriers of checkpoints in progress waiting in the queue, and how to let their checkpoint go on. */
  readonly #heldBarriers = new Map<unknown, () => void>();
  /** The checkpoint of the last barrier queued: how a failure here reaches the coordinator. */
  #lastCheckpoint: PendingCheckpoint | undefined;
  #markerHead = 0;
  #ready: Entry<O>[] = [];
  #readyHead = 0;
  #pendingFirst = 0;
  /** Index of the next entry to start (entries start in arrival order). */
  #next = 0;
  #held = 0;
  #running = 0;
  #ending = false;
  #closed = false;
  #pumping = false;
  #again = false;
  #wake: Subscription | undefined;
  #reported = false;
  readonly #lowWater: number;

  constructor(
    config: AsyncStageConfig,
    spec: AsyncJobSpec<P, O>,
    sinks: { emit: (batch: O[]) => void; fail: (error: unknown) => void; done: () => void },
  ) {
    this.#config = config;
    this.#lowWater = Math.max(1, Math.floor(config.bufferSize / 4));
    this.#spec = spec;
    this.name = config.name;
    this.stats = new StageStats(config.name, config.kind, config.bufferSize);
    this.#upstreams = new Upstreams(this, (controller) => {
      // Report where the source feeding us reports, with whatever reported here (our downstream).
      if (this.#reported) return;
      this.#reported = true;
      this.out.monitor.mergeInto(controller.monitor);
      this.out.monitor = controller.monitor;
    });
    this.#emit = sinks.emit;
    this.#fail = sinks.fail;
    this.#done = sinks.done;
    const monitor = config.monitor ?? new FlowMonitor({ scheduler: config.scheduler });
    monitor.add(this.stats);
    // A monitor given explicitly stays; otherwise the first source that feeds us takes over.
    this.#reported = config.monitor !== undefined;
    this.out = new FlowController(config.name, monitor, () => this.#scheduleWake());
    // Built inside our own subscription: a bounded stage downstream that is subscribing attaches.
    attachSubscribingStage(this.out);
  }

  /** Subscribes upstream on behalf of this stage, so that the producers reached attach it at once. */
  subscribeUpstream<R>(subscribe: () => R): R {
    return subscribeAs(this.#upstreams, subscribe);
  }

  /**
   * Room left under the bound, offered only once it is at least a quarter of the buffer: otherwise a
   * stage that frees one record at a time would have the source pull one record at a time (TCP's
   * "silly window syndrome"), each pull costing a trip through the scheduler.
   */
  credit(): number {
    const room = this.#config.bufferSize - this.#held;
    return room >= this.#lowWater ? room : 0;
  }

  /** Records held now. */
  get held(): number {
    return this.#held;
  }

  /**
   * Called at the start of each input batch with the number of records it brings: registers with
   * the delivering source, and refuses (BufferOverflowError) unpaced input that does not fit.
   */
  accept(records: number, firstValue: () => unknown): boolean {
    if (this.#closed) return false;
    // Input outside any delivery is refused beyond the bound only when no pulled source feeds the
    // stage at all. A stage fed by pulled sources also gets bounded bursts outside deliveries (records
    // emitted by processing-time timers of operators upstream): those are accepted, their overshoot
    // shows in the metrics, and the sources stay paused until the stage has drained below its bound.
    const controller = this.#upstreams.capture();
    if (controller === undefined && this.#upstreams.size === 0 && this.#held + records > this.#config.bufferSize) {
      this.#failWith(
        new BufferOverflowError(
          this.name,
          this.#config.bufferSize,
          firstValue(),
          'no pulled source feeds this stage, so its input cannot be paused (a push-only Observable such as of/from/a Subject, or an asynchronous operator in between); read the data with a pulled source (fromIterable, fromAsyncIterable, ...) or put the input behind fromPush(...) with an overflow policy',
        ),
      );
      return false;
    }
    return true;
  }

  /** Queues a job holding `size` records against the bound. */
  pushJob(payload: P, size: number): void {
    this.#queue.push({ seq: this.#seq++, size, marker: false, payload, state: WAITING, output: undefined, emitted: false, cancel: undefined });
    if (this.#markerHead === this.#markers.length) this.#pendingFirst++;
    this.#held += size;
    this.stats.recordsIn += size;
    this.stats.hold(this.#held);
  }

  /** Queues an element that keeps its place: emitted after everything before it. */
  pushMarker(element: O): void {
    // A checkpoint cannot complete while its barrier waits here behind requests in flight.
    const barrier = element as StreamElement<unknown, unknown>;
    if (barrier.kind === 'barrier' && barrier.checkpoint !== undefined) {
      this.#heldBarriers.set(element, barrier.checkpoint.hold(this.name));
      this.#lastCheckpoint = barrier.checkpoint;
    } else if (barrier.kind === 'control' && barrier.type === PIPELINE_CONTROL) {
      linkToPipeline(this, barrier.payload as PipelineLink);
    }
    const seq = this.#seq++;
    this.#queue.push({ seq, size: 0, marker: true, payload: undefined, state: DONE, output: [element], emitted: false, cancel: undefined });
    if (!this.#config.ordered) this.#markers.push(seq);
  }

  /** The input completed: emit what is queued, then complete. */
  end(): void {
    this.#ending = true;
    this.pump();
  }

  /** Ends the subscription: cancels requests in flight and timers, leaves the sources. */
  dispose(): void {
    this.#closed = true;
    this.#cancelAll();
  }

  /** Starts what may start and emits what may be emitted, until nothing changes. */
  pump(): void {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        if (this.#closed) return;
        this.#startJobs();
        this.#drain();
      } while (this.#again && !this.#closed);
      if (!this.#closed && this.#ending && this.#head === this.#queue.length) {
        this.#closed = true;
        this.#upstreams.release();
        this.#done();
      }
    } finally {
      this.#pumping = false;
    }
  }

  #scheduleWake(): void {
    if (this.#closed || this.#wake !== undefined) return;
    this.#wake = this.#config.scheduler.schedule(() => {
      this.#wake = undefined;
      this.pump();
    });
  }

  #startJobs(): void {
    const queue = this.#queue;
    if (this.#next < this.#head) this.#next = this.#head;
    while (this.#running < this.#config.concurrency && this.#next < queue.length && !this.#closed) {
      const entry = queue[this.#next++]!;
      if (entry.marker) continue;
      this.#start(entry);
    }
  }

  #start(entry: Entry<O>): void {
    const payload = entry.payload as P;
    entry.state = RUNNING;
    this.#running++;
    this.stats.inFlight = this.#running;
    const results: unknown[] = [];
    let finished = false;
    let subscription: Subscription | undefined;
    let timer: Subscription | undefined;
    const finish = (output: readonly O[]): void => {
      finished = true;
      timer?.unsubscribe();
      entry.cancel = undefined;
      entry.state = DONE;
      entry.output = output;
      // Unordered: a job of the first segment may go out at once.
      if (!this.#config.ordered && (this.#markerHead === this.#markers.length || entry.seq < this.#markers[this.#markerHead]!)) {
        this.#ready.push(entry);
      }
      this.#running--;
      this.stats.inFlight = this.#running;
      this.pump();
    };
    entry.cancel = () => {
      finished = true;
      subscription?.unsubscribe();
      timer?.unsubscribe();
    };
    const timeout = this.#config.timeout;
    if (timeout !== undefined) {
      timer = this.#config.scheduler.schedule(() => {
        if (finished) return;
        subscription?.unsubscribe();
        const onTimeout = this.#spec.onTimeout;
        if (!onTimeout) {
          finished = true;
          this.#failWith(new AsyncTimeoutError(this.name, this.#spec.describe(payload), timeout));
          return;
        }
        let output: readonly O[];
        try {
          output = onTimeout(payload);
        } catch (error) {
          finished = true;
          this.#failWith(error);
          return;
        }
        finish(output);
      }, timeout);
    }
    try {
      subscription = rxFrom(this.#spec.invoke(payload)).subscribe({
        next: (value) => {
          if (!finished) results.push(value);
        },
        error: (error: unknown) => {
          if (finished) return;
          finished = true;
          this.#failWith(new AsyncRequestError(this.name, this.#spec.describe(payload), error));
        },
        complete: () => {
          if (finished) return;
          let output: readonly O[];
          try {
            output = this.#spec.complete(payload, results);
          } catch (error) {
            finished = true;
            this.#failWith(error);
            return;
          }
          finish(output);
        },
      });
      if (finished) subscription.unsubscribe();
    } catch (error) {
      if (!finished) {
        finished = true;
        this.#failWith(new AsyncRequestError(this.name, this.#spec.describe(payload), error));
      }
    }
  }

  #drain(): void {
    const queue = this.#queue;
    const budget = this.out.credit();
    const out: O[] = [];
    const releases: (() => void)[] = [];
    let records = 0;
    let freed = 0;
    if (this.#config.ordered) {
      while (this.#head < queue.length) {
        const entry = queue[this.#head]!;
        if (entry.state !== DONE || (!entry.marker && records >= budget)) break;
        const output = entry.output!;
        for (let i = 0; i < output.length; i++) out.push(output[i]!);
        if (entry.marker) this.#releaseLater(output[0]!, releases);
        records += entry.size;
        freed += entry.size;
        entry.output = undefined;
        entry.payload = undefined;
        this.#head++;
      }
    } else {
      // Unordered: completed jobs of the first segment go out now; a marker goes out once every job
      // before it has; then the segment after it is the first. Each entry is visited O(1) times.
      const markers = this.#markers;
      const ready = this.#ready;
      for (;;) {
        while (this.#readyHead < ready.length && records < budget) {
          const entry = ready[this.#readyHead++]!;
          const output = entry.output!;
          for (let k = 0; k < output.length; k++) out.push(output[k]!);
          records += entry.size;
          freed += entry.size;
          entry.output = undefined;
          entry.payload = undefined;
          entry.emitted = true;
          this.#pendingFirst--;
        }
        if (this.#readyHead < ready.length) break;
        ready.length = 0;
        this.#readyHead = 0;
        if (this.#pendingFirst > 0 || this.#markerHead === markers.length) break;
        const markerSeq = markers[this.#markerHead++]!;
        const marker = queue[markerSeq - this.#seqBase]!;
        out.push(marker.output![0]!);
        this.#releaseLater(marker.output![0]!, releases);
        marker.output = undefined;
        marker.emitted = true;
        const end = this.#markerHead < markers.length ? markers[this.#markerHead]! : this.#seq;
        for (let seq = markerSeq + 1; seq < end; seq++) {
          const entry = queue[seq - this.#seqBase]!;
          this.#pendingFirst++;
          if (entry.state === DONE) ready.push(entry);
        }
      }
      if (this.#markerHead > 1024 && this.#markerHead * 2 >= markers.length) {
        this.#markers = markers.slice(this.#markerHead);
        this.#markerHead = 0;
      }
      while (this.#head < queue.length && queue[this.#head]!.emitted) this.#head++;
    }
    // Drop emitted entries from the front once they are half the array: amortized O(1) per entry.
    if (this.#head >= 32 && this.#head * 2 >= queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#next = Math.max(0, this.#next - this.#head);
      this.#seqBase += this.#head;
      this.#head = 0;
    }
    if (out.length === 0 && freed === 0) return;
    this.#held -= freed;
    this.stats.hold(this.#held);
    this.stats.recordsOut += records;
    if (out.length > 0) {
      deliver(this.out, () => this.#emit(out));
      for (const release of releases) release();
    }
    if (freed > 0) this.#upstreams.signal();
  }

  #releaseLater(element: O, releases: (() => void)[]): void {
    const release = this.#heldBarriers.get(element);
    if (release === undefined) return;
    this.#heldBarriers.delete(element);
    releases.push(release);
  }

  #failWith(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelAll();
    this.reportFailure(error);
    this.#fail(error);
  }

  /**
   * Tells the checkpoint coordinator why the pipeline fails here, so that `whenFinished()` and
   * `checkpoint()` reject with this error: through the last barrier seen (PendingCheckpoint.fail),
   * or before the first one through the pipeline link.
   */
  reportFailure(error: unknown): void {
    if (this.#lastCheckpoint?.fail !== undefined) this.#lastCheckpoint.fail(error);
    else reportPipelineFailure(this, error);
  }

  #cancelAll(): void {
    this.#wake?.unsubscribe();
    this.#wake = undefined;
    for (let i = this.#head; i < this.#queue.length; i++) this.#queue[i]!.cancel?.();
    this.#running = 0;
    this.stats.inFlight = 0;
    this.#upstreams.release();
  }
}

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
        if (!stage.accept(count, () => (batch.find((e) => e.kind === 'record') as StreamRecord<T, K> | undefined)?.value)) return;
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
