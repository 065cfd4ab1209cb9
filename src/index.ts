/**
 * rxflink: Apache Flink's model of stream processing as RxJS operators. This entry point has what a
 * pipeline needs: operators, watermark strategies, windows, keyed state, sources, sinks,
 * checkpointing and the typed errors. What authors of custom operators need besides (the
 * `StreamOperator` contract, element helpers, the codec) is in `rxflink/engine`.
 * The core imports nothing from Node or the DOM.
 */

// Elements, as marble tests and `toRecords()` show them.
export {
  END_OF_STREAM,
  MAX_WATERMARK,
  MIN_WATERMARK,
  record,
  watermark,
  type CheckpointBarrier,
  type ControlElement,
  type StreamBatch,
  type StreamElement,
  type StreamRecord,
  type StreamStatus,
  type Watermark,
} from './core/elements.js';
export {
  InvalidKeyError,
  InvalidOptionError,
  InvalidTimestampError,
  NotKeyedError,
  StreamError,
} from './core/errors.js';
export { Counters } from './core/counters.js';
export { DEFAULT_MAX_PARALLELISM, type Key, type KeyPart } from './core/keys.js';
export { DuplicateUidError, MissingUidError } from './core/checkpointing.js';
export type { SchedulerOption } from './rx/operator-function.js';
export { SideOutput } from './rx/side-output.js';

// Keys and keyed processing.
export { keyBy, type KeyByOptions } from './keyed/keyBy.js';
export { rollingReduce, type RollingReduceOptions } from './keyed/rollingReduce.js';
export { keyedProcess, type KeyedProcessFunction, type KeyedProcessOptions } from './keyed/keyedProcess.js';
export { processValues, type ProcessFunction } from './keyed/process.js';
export {
  ProcessContextClosedError,
  type KeyedProcessContext,
  type OnTimerContext,
  type ProcessContext,
  type SideOutputTarget,
  type TimeDomain,
  type TimerService,
} from './keyed/process-context.js';

// Stateless steps and the exits.
export { mapValues, type RecordContext } from './stream/mapValues.js';
export { filterValues } from './stream/filterValues.js';
export { flatMapValues } from './stream/flatMapValues.js';
export { toValues, toRecords } from './stream/toValues.js';

// Event time.
export { WatermarkStrategy, DEFAULT_WATERMARK_PERIOD, type WatermarkCadence } from './time/watermark-strategy.js';
export {
  boundedOutOfOrderness,
  monotonousTimestamps,
  punctuatedWatermarks,
  customWatermarks,
  noWatermarks,
} from './time/built-in-watermarks.js';
export type { WatermarkGenerator, WatermarkOutput } from './time/watermark-generator.js';
export type { InvalidRecord } from './time/event-time-options.js';
export { withEventTime, withEventTimeBatches, type EventTimeOptions } from './time/withEventTime.js';
export { mergeTimed, type TimedValueOf, type TimedKeyOf } from './time/mergeTimed.js';
export { ArrayInputError, InvalidWatermarkError, WatermarkOutputClosedError } from './time/errors.js';

// Windows.
export * from './window/index.js';

// Keyed state.
export type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  ValueState,
} from './state/state-types.js';
export * from './state/descriptors.js'; // the state descriptors and their factories, all public
export type { StateTtlConfig, TtlUpdateType, TtlVisibility } from './state/ttl.js';
export {
  StateDescriptorError,
  StateNotSerializableError,
  StateRestoreError,
  type StateLocation,
} from './state/errors.js';

// Backpressure: async stages and their metrics.
export type { FlowMonitor, FlowMetrics, FlowMonitorOptions, StageMetrics } from './flow/monitor.js';
export { PipelineMetrics, type PipelineMetricsOptions } from './rx/pipeline-metrics.js';
export { withMetrics, type WithMetricsOptions } from './rx/withMetrics.js';
export type { MetricsCollector, Sampler } from './core/metrics/collector.js';
export type {
  CheckpointMetrics,
  CheckpointStatus,
  ExceptionRecord,
  JobEdge,
  MetricsSnapshot,
  OperatorKind,
  OperatorStatus,
  OperatorMetrics,
  StateSize,
} from './core/metrics/types.js';
export { BufferOverflowError, AsyncTimeoutError, AsyncRequestError } from './flow/errors.js';
export { asyncMap, type AsyncMapOptions } from './flow/asyncMap.js';
export { asyncMapValues } from './flow/asyncMapValues.js';

// Sources and sinks.
export type { PulledSource, PulledSourceOptions } from './sources/pulled.js';
export { fromIterable, type IndexPosition } from './sources/fromIterable.js';
export { fromAsyncIterable } from './sources/fromAsyncIterable.js';
export { fromReadableStream, type ChunkOf, type ReadableStreamLike } from './sources/fromReadableStream.js';
export { fromPush, type PushSource, type FromPushOptions, type OverflowPolicy } from './sources/fromPush.js';
export * from './sinks/index.js';

// Checkpoints.
export {
  CorruptSnapshotError,
  IncompatibleSnapshotError,
  InvalidSnapshotError,
  NoRestorableSnapshotError,
  SnapshotError,
  SnapshotInUseError,
  SnapshotNotFoundError,
  StorageError,
  UnsupportedValueError,
  type SnapshotRef,
  type StorageFailure,
} from './checkpoint/errors.js';
export type {
  CheckpointBackend,
  CheckpointBackendOptions,
  LoadOptions,
  SnapshotSelector,
  StoredSnapshotInfo,
} from './checkpoint/backend-types.js';
export { memoryBackend, type MemoryBackendOptions } from './checkpoint/memory.js';
export type { Checkpointing } from './checkpoint/coordinator.js';
export { startCheckpointing } from './checkpoint/startCheckpointing.js';
export type {
  CheckpointableSource,
  CheckpointingOptions,
  CheckpointStats,
} from './checkpoint/checkpointing-options.js';
export type { RestoreFallback, RestoreOptions } from './checkpoint/restore-choice.js';
export type { KeyGroupRange } from './core/state-snapshot.js';
export type { StateMigration } from './checkpoint/restore-state.js';
export {
  CheckpointAbortedError,
  CommittedCheckpointLostError,
  FinishedPipelineError,
  LateStateReportError,
  PipelineStoppedError,
  StateVersionError,
  UnclaimedStateError,
} from './checkpoint/errors-inband.js';
