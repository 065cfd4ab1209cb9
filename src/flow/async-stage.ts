/**
 * The engine shared by `asyncMap` and the async sinks: a bounded queue at an asynchronous boundary,
 * in the spirit of Flink's AsyncWaitOperator and its StreamElementQueue. It holds jobs (one request
 * per record for asyncMap, one write per run of records for a sink) and markers (watermarks,
 * barriers, status and control elements), starts at most `concurrency` jobs at once in arrival
 * order, and emits results:
 * - ordered: exactly in arrival order (./async-ordered-queue.ts);
 * - unordered: a job's result as soon as it completes, but never across a marker
 *   (./async-unordered-queue.ts).
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
import type { Subscription } from 'rxjs';
import type { StreamElement } from '../core/elements.js';
import {
  linkToPipeline,
  PIPELINE_CONTROL,
  reportPipelineFailure,
  type PendingCheckpoint,
  type PipelineLink,
} from '../core/checkpointing.js';
import type { AsyncStageConfig } from './async-config.js';
import { runJob, type AsyncEntry, type AsyncJobSpec } from './async-job.js';
import type { AsyncQueue } from './async-queue.js';
import { OrderedQueue } from './async-ordered-queue.js';
import { UnorderedQueue } from './async-unordered-queue.js';
import { attachSubscribingStage, deliver, FlowController, subscribeAs, Upstreams, type FlowStage } from './demand.js';
import { BufferOverflowError } from './errors.js';
import { FlowMonitor, StageStats } from './monitor.js';
import { stageProbe } from '../core/metrics/stage-probe.js';
import { attachProbe } from '../core/metrics/probe.js';

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
  readonly #queue: AsyncQueue<O>;
  /** Barriers of checkpoints in progress waiting in the queue, and how to let their checkpoint go on. */
  readonly #heldBarriers = new Map<unknown, () => void>();
  /** The checkpoint of the last barrier queued: how a failure here reaches the coordinator. */
  #lastCheckpoint: PendingCheckpoint | undefined;
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
    this.#queue = config.ordered ? new OrderedQueue<O>() : new UnorderedQueue<O>();
    this.name = config.name;
    this.stats = new StageStats(config.name, config.kind, config.bufferSize);
    attachProbe(this, stageProbe(this.stats, config.kind === 'sink' ? 'sink' : 'async'));
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
    this.#queue.pushJob(payload, size);
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
      linkToPipeline(this, barrier.payload as PipelineLink, barrier);
    }
    this.#queue.pushMarker(element);
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
      if (!this.#closed && this.#ending && this.#queue.log.isEmpty) {
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
    while (this.#running < this.#config.concurrency && !this.#closed) {
      const entry = this.#queue.log.nextJob();
      if (entry === undefined) return;
      this.#running++;
      this.stats.inFlight = this.#running;
      runJob(entry, this.#spec, this.#config, this.#jobDone, (error) => this.#failWith(error));
    }
  }

  readonly #jobDone = (entry: AsyncEntry<O>): void => {
    this.#queue.completed(entry);
    this.#running--;
    this.stats.inFlight = this.#running;
    this.pump();
  };

  #drain(): void {
    const out: O[] = [];
    const releases: (() => void)[] = [];
    const records = this.#queue.drain(this.out.credit(), out, (marker) => this.#releaseLater(marker, releases));
    if (out.length === 0 && records === 0) return;
    this.#held -= records;
    this.stats.hold(this.#held);
    this.stats.recordsOut += records;
    if (out.length > 0) {
      deliver(this.out, () => this.#emit(out));
      for (const release of releases) release();
    }
    if (records > 0) this.#upstreams.signal();
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
    reportPipelineFailure(this, error, this.#lastCheckpoint);
  }

  #cancelAll(): void {
    this.#wake?.unsubscribe();
    this.#wake = undefined;
    this.#queue.log.cancelAll();
    this.#running = 0;
    this.stats.inFlight = 0;
    this.#upstreams.release();
  }
}
