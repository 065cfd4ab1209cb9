/**
 * rxflink/parallel: keyed segments in parallel subtasks on worker threads or Web Workers
 * (docs/parallel.md, docs/architecture.md §9). Platform-free: the workers come from `nodeWorkers()`
 * (rxflink/node) or `webWorkers()` (rxflink/browser).
 */
export { parallel, type ParallelOptions } from './parallel.js';
export { defineSegment, type Segment, type SegmentOptions, type SubtaskInfo } from './segment.js';
export {
  NotPartitionableError,
  RestartsExhaustedError,
  SegmentNotMovableError,
  SubtaskFailedError,
} from './errors.js';
export { withRestarts, type PipelineRun, type RestartOptions } from './restarts.js';
export {
  exponentialDelayRestart,
  failureRateRestart,
  fixedDelayRestart,
  noRestart,
  type ExponentialDelayOptions,
  type RestartBackoff,
  type RestartStrategy,
} from './restart-strategies.js';
export { serveSubtask, type SegmentModuleLoader } from './subtask-runtime.js';
export { structuredCloneCodec, type BatchCodec, type EncodedBatch } from './batch-codec.js';
export { batchPath, columnarCodec, type ColumnarCodec, type ColumnarCodecOptions } from './columnar-codec.js';
export type {
  BarrierFrame,
  BatchFrame,
  CreditFrame,
  EndFrame,
  ErrorFrame,
  Frame,
  FramePort,
  HeartbeatFrame,
  InitFrame,
  RestoreFrame,
  StateReport,
  StatusFrame,
  WatermarkFrame,
  WorkerError,
  WorkerHandle,
  WorkerSpawner,
} from './frames.js';
