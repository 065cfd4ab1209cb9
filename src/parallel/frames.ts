/**
 * The frame protocol between the main thread and a subtask's worker (docs/parallel.md). Frames are
 * posted in stream order on one port per direction, so a watermark frame follows the batches it covers
 * and a barrier sits exactly between the batches before and after its checkpoint. Only `batch` frames
 * take a credit (docs/architecture.md §5): the receiver returns it once the batch is processed, with
 * the batch's buffers, so at most `credits` batches are in flight per channel.
 */

import type { OperatorStateSnapshot } from '../core/state-snapshot.js';

/** The first frame a worker receives: what to run. */
export interface InitFrame {
  readonly t: 'init';
  /** URL of the module that exports the segment. */
  readonly module: string;
  /** The segment's name (`defineSegment`). */
  readonly segment: string;
  readonly subtask: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Batches the worker may send before a credit comes back. */
  readonly credits: number;
}

/** Records in a codec's encoding. Takes one credit. */
export interface BatchFrame {
  readonly t: 'batch';
  readonly payload: unknown;
}

/** A watermark of the channel's stream. */
export interface WatermarkFrame {
  readonly t: 'watermark';
  readonly timestamp: number;
}

/** The channel's stream became idle or active. */
export interface StatusFrame {
  readonly t: 'status';
  readonly idle: boolean;
}

/** Credits returned by the receiver, with the buffers of the batches it decoded. */
export interface CreditFrame {
  readonly t: 'credit';
  readonly n: number;
  readonly buffers: ArrayBuffer[];
}

/** The end of the channel's stream: nothing follows. */
export interface EndFrame {
  readonly t: 'end';
}

/** The worker's segment failed. */
export interface ErrorFrame {
  readonly t: 'error';
  readonly error: WorkerError;
}

/** An error of a worker, as plain data. */
export interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** The `code` of a `StreamError`. */
  readonly code: string | undefined;
}

/**
 * A checkpoint barrier. To the worker: between the batches before and after checkpoint
 * `checkpointId`. Back: the subtask's operators reported `reports` as the barrier passed them.
 */
export interface BarrierFrame {
  readonly t: 'barrier';
  readonly checkpointId: number;
  readonly incremental: boolean;
  readonly reports: readonly StateReport[];
}

/** One operator's state as a subtask reported it at a barrier. */
export interface StateReport {
  readonly uid: string;
  readonly state: OperatorStateSnapshot;
  readonly operator: string;
  readonly watermark: number | undefined;
}

/** The restored state of the subtask's operators, by uid, pruned to its key groups; before any batch. */
export interface RestoreFrame {
  readonly t: 'restore';
  readonly checkpointId: number;
  readonly states: Readonly<Record<string, OperatorStateSnapshot>>;
}

/**
 * A heartbeat: the main thread sends one every `heartbeatInterval` and the worker answers at once, from
 * its event loop, so a worker whose loop is blocked stops answering (Flink's `heartbeat.interval`).
 */
export interface HeartbeatFrame {
  readonly t: 'heartbeat';
}

/** Every frame of a channel. */
export type Frame =
  | InitFrame
  | BatchFrame
  | WatermarkFrame
  | StatusFrame
  | CreditFrame
  | EndFrame
  | ErrorFrame
  | BarrierFrame
  | RestoreFrame
  | HeartbeatFrame;

/**
 * One end of a channel, as each platform provides it (a Node `Worker` or `parentPort`, a Web `Worker`
 * or the worker's `self`): the core never touches the platform's objects.
 */
export interface FramePort {
  /** Posts a frame; the buffers in `transfer` move to the other thread. */
  post(frame: Frame, transfer?: readonly ArrayBuffer[]): void;
  /** Installs the one handler of incoming frames. */
  onFrame(handler: (frame: Frame) => void): void;
}

/** The main thread's handle on a started worker. */
export interface WorkerHandle extends FramePort {
  /**
   * Installs the handler of the worker's failure outside the protocol: an uncaught error, an exit, a
   * failed start. Called at most once.
   */
  onFailure(handler: (reason: string, cause?: unknown) => void): void;
  /** Stops the worker at once. */
  terminate(): void;
}

/**
 * Starts workers for `parallel` on one platform: `nodeWorkers()` from `rxflink/node`, `webWorkers()`
 * from `rxflink/browser`.
 */
export interface WorkerSpawner {
  /** Starts the worker of subtask `subtask`; it runs the platform's subtask bootstrap. */
  spawn(subtask: number): WorkerHandle;
  /** The parallelism when none is given: the number of cores. */
  readonly defaultParallelism: number;
}
