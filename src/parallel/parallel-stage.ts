import type { SchedulerLike, Subscription } from 'rxjs';
import {
  linkToPipeline,
  PIPELINE_CONTROL,
  reportPipelineFailure,
  RESTORE_CONTROL,
  type PendingCheckpoint,
  type PipelineLink,
  type RestoreSource,
} from '../core/checkpointing.js';
import { MAX_WATERMARK, type CheckpointBarrier, type StreamElement, type StreamRecord } from '../core/elements.js';
import { keyGroupRangeForSubtask, subtaskForKeyGroup } from '../core/key-group-assignment.js';
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
import type { Frame, StateReport, WorkerError, WorkerHandle, WorkerSpawner } from './frames.js';
import { Heartbeats } from './heartbeats.js';
import { mergeReports } from './merge-reports.js';
import { segmentOperators, splitRestore } from './restore-split.js';
import type { Segment } from './segment.js';
import { SubtaskMetrics } from './subtask-metrics.js';

/** What a `ParallelStage` runs: resolved options of `parallel`. */
export interface ParallelConfig {
  readonly segment: Segment;
  readonly workers: WorkerSpawner;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly credits: number;
  readonly bufferSize: number;
  readonly scheduler: SchedulerLike;
  /** Ms between heartbeats to each subtask. */
  readonly heartbeatInterval: number;
  /** Ms of silence after which a subtask is lost. */
  readonly heartbeatTimeout: number;
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
  /** Whether the channel sent the barrier of the oldest checkpoint in alignment: what follows waits. */
  blocked: boolean;
  /** Frames received after that barrier, replayed once every channel has sent it. */
  readonly held: Frame[];
}

/** A checkpoint whose barrier went to the subtasks and has not come back from all of them. */
interface Aligning {
  readonly barrier: CheckpointBarrier;
  readonly release: () => void;
  readonly reports: (readonly StateReport[])[];
  arrived: number;
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
  readonly #aligning: Aligning[] = [];
  readonly #heartbeats: Heartbeats;
  readonly #metrics: SubtaskMetrics;
  #lastCheckpoint: PendingCheckpoint | undefined;
  #inputEnded = false;
  #closed = false;
  #wake: Subscription | undefined;

  constructor(config: ParallelConfig, sinks: ParallelSinks) {
    this.#config = config;
    this.#sinks = sinks;
    this.name = `parallel(${config.segment.name})`;
    this.#upstreams = new Upstreams(this);
    this.#metrics = new SubtaskMetrics(this, this.name, config.segment.name, config.parallelism);
    this.#valve = new WatermarkValve(config.parallelism);
    this.out = new FlowController(this.name, new FlowMonitor({ scheduler: config.scheduler }), () =>
      this.#scheduleWake(),
    );
    attachSubscribingStage(this.out);
    this.#channels = [];
    for (let i = 0; i < config.parallelism; i++) this.#channels.push(this.#startChannel(i));
    this.#heartbeats = new Heartbeats(
      config.scheduler,
      config.parallelism,
      config.heartbeatInterval,
      config.heartbeatTimeout,
      {
        ping: (i) => this.#channels[i]!.worker.post({ t: 'heartbeat' }),
        lost: (i, silentFor) =>
          this.#failSubtask(
            i,
            `no heartbeat for ${silentFor} ms (heartbeatTimeout ${config.heartbeatTimeout} ms): its event loop is blocked or it hangs`,
          ),
      },
    );
  }

  #startChannel(subtask: number): Channel {
    const { segment, parallelism, maxParallelism, credits } = this.#config;
    const worker = this.#config.workers.spawn(subtask);
    const channel: Channel = {
      worker,
      sender: new FrameSender(worker, segment.codec, credits),
      owed: [],
      ended: false,
      blocked: false,
      held: [],
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
    const started = this.#metrics.stage.begin();
    const { maxParallelism, parallelism } = this.#config;
    for (const element of batch) {
      switch (element.kind) {
        case 'record': {
          const keyGroup = element.keyGroup;
          if (!(keyGroup >= 0 && keyGroup < maxParallelism)) {
            this.fail(new NotPartitionableError(element.value, keyGroup, maxParallelism));
            return;
          }
          const subtask = subtaskForKeyGroup(maxParallelism, parallelism, keyGroup);
          this.#channels[subtask]!.sender.record(element as StreamRecord<unknown, unknown>);
          this.#metrics.routed(subtask, 1);
          break;
        }
        case 'watermark':
          if (element.timestamp === MAX_WATERMARK) this.#inputEnded = true;
          this.#metrics.sent(element.timestamp);
          this.#broadcast({ t: 'watermark', timestamp: element.timestamp });
          break;
        case 'status':
          this.#broadcast({ t: 'status', idle: element.idle });
          break;
        case 'barrier':
          this.#barrier(element);
          break;
        default:
          this.#control(element);
      }
    }
    this.#flush();
    this.#metrics.stage.end(started, batch);
  }

  /** Sends what the channels' credits allow, and notes which channels wait for credits. */
  #flush(): void {
    this.#channels.forEach((channel, i) => {
      channel.sender.flush();
      this.#metrics.waiting(i, channel.sender.blocked);
    });
  }

  /** The input completed: event time ends, then each subtask's input. */
  end(): void {
    if (this.#closed) return;
    if (!this.#inputEnded) this.#broadcast({ t: 'watermark', timestamp: MAX_WATERMARK });
    this.#inputEnded = true;
    this.#broadcast({ t: 'end' });
    this.#flush();
  }

  /** A barrier goes to every subtask; the checkpoint waits until each has sent it back (`#aligned`). */
  #barrier(barrier: CheckpointBarrier): void {
    const checkpoint = barrier.checkpoint;
    if (checkpoint !== undefined) this.#lastCheckpoint = checkpoint;
    const release = checkpoint?.hold(this.name) ?? (() => {});
    this.#aligning.push({ barrier, release, reports: [], arrived: 0 });
    const incremental = checkpoint?.incremental ?? false;
    this.#broadcast({ t: 'barrier', checkpointId: barrier.checkpointId, incremental, reports: [] });
  }

  /**
   * Control elements go downstream at once (the sinks after `parallel` need the pipeline link and the
   * restore marker too); a restore also sends each subtask its share of the segment's state.
   */
  #control(element: StreamElement<unknown, unknown>): void {
    if (element.kind !== 'control') return;
    if (element.type === PIPELINE_CONTROL) linkToPipeline(this, element.payload as PipelineLink, element);
    if (element.type === RESTORE_CONTROL) {
      const source = element.payload as RestoreSource;
      const { maxParallelism, parallelism, segment } = this.#config;
      const ranges = this.#channels.map((_, i) => keyGroupRangeForSubtask(maxParallelism, parallelism, i));
      const states = splitRestore(source, segmentOperators(segment), ranges, this);
      if (states !== undefined)
        this.#channels.forEach((channel, i) => {
          channel.sender.frame({ t: 'restore', checkpointId: source.checkpointId, states: states[i]! });
        });
    }
    deliver(this.out, () => this.#sinks.emit([element]));
  }

  #broadcast(frame: Frame): void {
    for (const channel of this.#channels) channel.sender.frame(frame);
  }

  #onFrame(subtask: number, channel: Channel, frame: Frame): void {
    if (this.#closed) return;
    this.#heartbeats.heard(subtask);
    if (frame.t === 'heartbeat') return;
    if (channel.blocked && frame.t !== 'credit' && frame.t !== 'error') {
      channel.held.push(frame);
      return;
    }
    const out: StreamElement<unknown, unknown>[] = [];
    switch (frame.t) {
      case 'batch':
        for (const record of this.#config.segment.codec.decode(frame.payload)) out.push(record);
        this.#metrics.received(subtask, out.length);
        channel.owed.push(frame.payload);
        break;
      case 'watermark':
        this.#metrics.returned(subtask, frame.timestamp);
        this.#valve.inputWatermark(subtask, frame.timestamp, out);
        break;
      case 'status':
        this.#valve.inputStatus(subtask, frame.idle, out);
        break;
      case 'credit':
        channel.sender.credit(frame);
        this.#metrics.waiting(subtask, channel.sender.blocked);
        this.#upstreams.signal();
        return;
      case 'end':
        channel.ended = true;
        break;
      case 'barrier': {
        const aligning = this.#aligning[0];
        if (aligning === undefined) return;
        channel.blocked = true;
        aligning.reports[subtask] = frame.reports;
        if (++aligning.arrived === this.#channels.length) this.#aligned();
        return;
      }
      case 'error':
        this.#failSubtask(subtask, `${frame.error.name}: ${frame.error.message}`, rebuild(frame.error));
        return;
      default:
        return;
    }
    if (out.length > 0) {
      this.#metrics.stage.emitted(out);
      deliver(this.out, () => this.#sinks.emit(out));
    }
    this.#returnCredits();
    if (this.#channels.every((c) => c.ended)) this.#finish();
  }

  /**
   * Every subtask sent the oldest barrier back: their reports become the operators' states in the
   * checkpoint, the barrier goes downstream, and what the channels sent after it is replayed.
   */
  #aligned(): void {
    const { barrier, release, reports } = this.#aligning.shift()!;
    try {
      if (barrier.checkpoint !== undefined)
        for (const r of mergeReports(reports)) barrier.checkpoint.report(r.uid, r.state, r.operator, r.watermark);
    } catch (error) {
      this.fail(error);
      return;
    }
    deliver(this.out, () => this.#sinks.emit([barrier]));
    release();
    this.#channels.forEach((channel, i) => {
      channel.blocked = false;
      for (const frame of channel.held.splice(0)) this.#onFrame(i, channel, frame);
    });
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
    reportPipelineFailure(this, error, this.#lastCheckpoint);
    this.#sinks.fail(error);
  }

  /** Stops every worker and leaves the sources. */
  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.unsubscribe();
    this.#heartbeats?.stop();
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
