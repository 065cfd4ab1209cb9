import type { SchedulerLike, Subscription } from 'rxjs';
import { MAX_WATERMARK, type StreamElement, type StreamRecord } from '../core/elements.js';
import { subtaskForKeyGroup } from '../core/key-group-assignment.js';
import {
  attachSubscribingStage,
  deliver,
  FlowController,
  subscribeAs,
  Upstreams,
  type FlowStage,
} from '../flow/demand.js';
import { FlowMonitor } from '../flow/monitor.js';
import { WatermarkValve } from '../time/watermark-valve.js';
import { NotPartitionableError, SubtaskFailedError } from './errors.js';
import { FrameSender, returnCredit } from './frame-sender.js';
import type { Frame, WorkerError, WorkerHandle, WorkerSpawner } from './frames.js';
import type { Segment } from './segment.js';

/** What a `ParallelStage` runs: resolved options of `parallel`. */
export interface ParallelConfig {
  readonly segment: Segment;
  readonly workers: WorkerSpawner;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly credits: number;
  readonly bufferSize: number;
  readonly scheduler: SchedulerLike;
}

/** Where a `ParallelStage` sends its output: the subscriber downstream. */
export interface ParallelSinks {
  emit(batch: StreamElement<unknown, unknown>[]): void;
  fail(error: unknown): void;
  done(): void;
}

interface Channel {
  readonly worker: WorkerHandle;
  readonly sender: FrameSender;
  /** Output batches emitted downstream whose credit waits for downstream demand. */
  readonly owed: unknown[];
  ended: boolean;
}

/**
 * The main thread's side of `parallel` (docs/parallel.md): routes each record to the subtask that owns
 * its key group, broadcasts watermarks and status to every subtask, and merges what the subtasks send
 * back, with the minimum watermark over them (`WatermarkValve`). It is a bounded stage for its
 * upstream (credit: room left in the records waiting for channel credits) and a flow controller for
 * its downstream, whose demand decides when the subtasks get their output credits back.
 */
export class ParallelStage implements FlowStage {
  readonly name: string;
  readonly out: FlowController;
  readonly #config: ParallelConfig;
  readonly #upstreams: Upstreams;
  readonly #channels: Channel[];
  readonly #valve: WatermarkValve;
  readonly #sinks: ParallelSinks;
  #inputEnded = false;
  #closed = false;
  #wake: Subscription | undefined;

  constructor(config: ParallelConfig, sinks: ParallelSinks) {
    this.#config = config;
    this.#sinks = sinks;
    this.name = `parallel(${config.segment.name})`;
    this.#upstreams = new Upstreams(this);
    this.#valve = new WatermarkValve(config.parallelism);
    this.out = new FlowController(this.name, new FlowMonitor({ scheduler: config.scheduler }), () =>
      this.#scheduleWake(),
    );
    attachSubscribingStage(this.out);
    this.#channels = [];
    for (let i = 0; i < config.parallelism; i++) this.#channels.push(this.#startChannel(i));
  }

  #startChannel(subtask: number): Channel {
    const { segment, parallelism, maxParallelism, credits } = this.#config;
    const worker = this.#config.workers.spawn(subtask);
    const channel: Channel = {
      worker,
      sender: new FrameSender(worker, segment.codec, credits),
      owed: [],
      ended: false,
    };
    worker.onFrame((frame) => this.#onFrame(subtask, channel, frame));
    worker.onFailure((reason, cause) => this.#failSubtask(subtask, reason, cause));
    worker.post({
      t: 'init',
      module: segment.module,
      segment: segment.name,
      subtask,
      parallelism,
      maxParallelism,
      credits,
    });
    return channel;
  }

  /** Records the stage takes now: room left among those waiting for a channel's credit. */
  credit(): number {
    let queued = 0;
    for (const channel of this.#channels) queued += channel.sender.queuedRecords;
    return Math.max(0, this.#config.bufferSize - queued);
  }

  /** Subscribes upstream on behalf of this stage, so that the pulled sources reached attach it. */
  subscribeUpstream<R>(subscribe: () => R): R {
    return subscribeAs(this.#upstreams, subscribe);
  }

  /** An input batch: each record to its key group's owner, every watermark and status to all. */
  input(batch: readonly StreamElement<unknown, unknown>[]): void {
    if (this.#closed) return;
    this.#upstreams.capture();
    const { maxParallelism, parallelism } = this.#config;
    for (const element of batch) {
      switch (element.kind) {
        case 'record': {
          const keyGroup = element.keyGroup;
          if (!(keyGroup >= 0 && keyGroup < maxParallelism)) {
            this.fail(new NotPartitionableError(element.value, keyGroup, maxParallelism));
            return;
          }
          this.#channels[subtaskForKeyGroup(maxParallelism, parallelism, keyGroup)]!.sender.record(
            element as StreamRecord<unknown, unknown>,
          );
          break;
        }
        case 'watermark':
          if (element.timestamp === MAX_WATERMARK) this.#inputEnded = true;
          this.#broadcast({ t: 'watermark', timestamp: element.timestamp });
          break;
        case 'status':
          this.#broadcast({ t: 'status', idle: element.idle });
          break;
        default:
          break; // barriers and control elements: the main thread's pipeline keeps them (see docs/parallel.md)
      }
    }
    for (const channel of this.#channels) channel.sender.flush();
  }

  /** The input completed: event time ends, then each subtask's input. */
  end(): void {
    if (this.#closed) return;
    if (!this.#inputEnded) this.#broadcast({ t: 'watermark', timestamp: MAX_WATERMARK });
    this.#inputEnded = true;
    this.#broadcast({ t: 'end' });
    for (const channel of this.#channels) channel.sender.flush();
  }

  #broadcast(frame: Frame): void {
    for (const channel of this.#channels) channel.sender.frame(frame);
  }

  #onFrame(subtask: number, channel: Channel, frame: Frame): void {
    if (this.#closed) return;
    const out: StreamElement<unknown, unknown>[] = [];
    switch (frame.t) {
      case 'batch':
        for (const record of this.#config.segment.codec.decode(frame.payload)) out.push(record);
        channel.owed.push(frame.payload);
        break;
      case 'watermark':
        this.#valve.inputWatermark(subtask, frame.timestamp, out);
        break;
      case 'status':
        this.#valve.inputStatus(subtask, frame.idle, out);
        break;
      case 'credit':
        channel.sender.credit(frame);
        this.#upstreams.signal();
        return;
      case 'end':
        channel.ended = true;
        break;
      case 'error':
        this.#failSubtask(subtask, `${frame.error.name}: ${frame.error.message}`, rebuild(frame.error));
        return;
      default:
        return;
    }
    if (out.length > 0) deliver(this.out, () => this.#sinks.emit(out));
    this.#returnCredits();
    if (this.#channels.every((c) => c.ended)) this.#finish();
  }

  /** Gives the subtasks back the credits of the batches emitted, while downstream has room. */
  #returnCredits(): void {
    if (this.#closed || this.out.credit() <= 0) return;
    for (const channel of this.#channels)
      if (channel.owed.length > 0) returnCredit(channel.worker, this.#config.segment.codec, channel.owed.splice(0));
  }

  #scheduleWake(): void {
    if (this.#closed || this.#wake !== undefined) return;
    this.#wake = this.#config.scheduler.schedule(() => {
      this.#wake = undefined;
      this.#returnCredits();
    });
  }

  #failSubtask(subtask: number, reason: string, cause?: unknown): void {
    if (this.#closed || this.#channels[subtask]?.ended) return;
    this.fail(new SubtaskFailedError(this.#config.segment.name, subtask, reason, cause));
  }

  #finish(): void {
    this.dispose();
    this.#sinks.done();
  }

  /** Ends the stream with `error` and stops every worker. */
  fail(error: unknown): void {
    if (this.#closed) return;
    this.dispose();
    this.#sinks.fail(error);
  }

  /** Stops every worker and leaves the sources. */
  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.unsubscribe();
    for (const channel of this.#channels) channel.worker.terminate();
    this.#upstreams.release();
  }
}

/** The worker's error as an Error of the main thread. */
function rebuild(error: WorkerError): Error {
  const copy = new Error(error.message);
  copy.name = error.name;
  if (error.stack !== undefined) copy.stack = error.stack;
  if (error.code !== undefined) Object.assign(copy, { code: error.code });
  return copy;
}
