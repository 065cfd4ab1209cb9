/**
 * `rxflink/engine`: for authors of custom operators, sources and storage backends. A pipeline needs
 * only `rxflink`; this entry adds what sits under it (docs/architecture.md explains each part):
 *
 * - **Elements** (§1): `keyedRecord`, `isRecord`, the status elements, and the marker batches that
 *   carry control elements through plain-value stages.
 * - **Operators** (§0, §8): the `StreamOperator` contract, `processElement`/`processBatch` to drive
 *   one, and `fromStreamOperator`, which turns one into a pipeable RxJS operator. The built-in
 *   operators' classes, to compose or test them with `OperatorHarness` from `rxflink/testing`.
 * - **Keys** (§2): `keyId`, `hashKey`, `keyGroupOf`, `checkKey`: Flink's key groups.
 * - **Checkpoints in-band** (§4): the pending checkpoint a barrier carries, the restore marker,
 *   source ports; keyed state tables and timer services with their snapshots.
 * - **Backpressure** (§5): the flow controller and the async stage that bounded operators share.
 * - **Snapshots and storage** (§4): the snapshot format, its codec and checksum, and
 *   `createCheckpointBackend` over a `BlobStore`, to store checkpoints somewhere new.
 *
 * @example
 * ```ts
 * import { fromStreamOperator, type StreamOperator } from 'rxflink/engine';
 *
 * // Doubles each record's value and keeps its timestamp and key: the smallest operator. Watermarks,
 * // status and control elements pass through by default.
 * const doubling = (): StreamOperator<number, undefined, number, undefined> => ({
 *   processRecord: (r, out) => { out.push({ ...r, value: r.value * 2 }); },
 * });
 * const doubled = () => fromStreamOperator(doubling);
 * ```
 */

export { ACTIVE, IDLE, isRecord, keyedRecord, markerBatch, markersOf } from '../core/elements.js';
export { describeValue } from '../core/errors.js';
export {
  checkParallelism,
  defaultMaxParallelism,
  keyGroupRangeForSubtask,
  subtaskForKeyGroup,
  UPPER_BOUND_MAX_PARALLELISM,
} from '../core/key-group-assignment.js';
export { checkKey, hashKey, keyGroupOf, keyId } from '../core/keys.js';
export {
  processBatch,
  processElement,
  type Output,
  type OperatorRuntime,
  type StreamOperator,
} from '../core/operator.js';
export type { ProcessingTimeService } from '../core/time.js';
export {
  ALREADY_RESTORED,
  MissingStateCodecError,
  RESTORE_CONTROL,
  type PendingCheckpoint,
  type RestoreSource,
  type StateAccess,
  type StateCodec,
  type StateCodecs,
  type StatefulOperator,
} from '../core/checkpointing.js';
export { STATE_CODECS } from '../checkpoint/state-codecs.js';
export type { SourceCheckpointLink, SourcePort } from '../core/source-link.js';
export type { OperatorProbe } from '../core/metrics/probe.js';
export type { StageCounters } from '../core/metrics/stage-probe.js';
export type { BatchCounter, ProbedElement } from '../core/metrics/counting.js';
export { fromStreamOperator } from '../rx/operator-function.js';

// The built-in operators' engine halves.
export { KeyByOperator } from '../keyed/keyBy.js';
export { RollingReduceOperator, type RollingReduceSnapshot } from '../keyed/rollingReduce.js';
export { KeyedProcessOperator, type KeyedProcessSnapshot } from '../keyed/keyedProcess.js';
export { ProcessOperator } from '../keyed/process.js';
export { TimestampsAndWatermarksOperator } from '../time/snapshotting-entry.js';
export type { EventTimeEntrySnapshot, TimestampsAndWatermarksOptions } from '../time/event-time-options.js';
export type { BoundedRun, EntryDownstream } from '../time/entry-downstream.js';
export { WatermarkValve } from '../time/watermark-valve.js';
export { checkTimestamp, timestampProblem } from '../time/timestamps.js';
export type { WindowOperatorState } from '../window/operator.js';
export { WindowOperator } from '../window/snapshotting-operator.js';
export type { WindowOperatorConfig } from '../window/config.js';
export type { FusedKeyBy } from '../window/types.js';

// Keyed state and timers.
export { KeyedStateBackend, type KeyedStateBackendOptions } from '../state/backend.js';
export type { Namespace } from '../state/state-types.js';
export type {
  KeyedRestoreOptions,
  KeyedStateCheckpoint,
  KeyedStateExport,
  KeyedStateHeader,
  KeyedStateSnapshot,
  StateSegmentSnapshot,
  StateTableLayout,
  StateTableSnapshot,
} from '../state/snapshot-types.js';
export { isExpired, resolveTtl, type ResolvedTtl } from '../state/ttl.js';
export { checkSerializable, findUnserializable } from '../state/serializable.js';
export { keyFromId } from '../state/key-id.js';
export { KEYED_STATE_FORMAT, type KeyedRowSource, migrateKeyedState, type MigrationContext } from '../state/index.js';
export {
  InternalTimerService,
  TimerQueue,
  type InternalTimer,
  type TimerTarget,
} from '../state/timers.js';

// Backpressure.
export { FlowController, Upstreams, currentFlow, deliver, type FlowStage } from '../flow/demand.js';
export { FlowMonitor, StageStats } from '../flow/monitor.js';
export { AsyncStage } from '../flow/async-stage.js';
export { asyncStageConfig, type AsyncStageConfig, type AsyncStageOptions } from '../flow/async-config.js';
export type { AsyncJobSpec } from '../flow/async-job.js';
export { PulledSource, type Puller, type PullResult } from '../sources/pulled.js';
export { PushSource } from '../sources/fromPush.js';

// Snapshots and storage.
export {
  SNAPSHOT_FORMAT_VERSION,
  applyDelta,
  applyDeltas,
  isIncremental,
  keyGroupPruner,
  type KeyedTableSnapshot,
  type OperatorStateSnapshot,
  type Snapshot,
  type SnapshotKind,
} from '../checkpoint/snapshot.js';
// Key groups: restoring a range of them (docs/checkpoints.md §10).
export {
  checkKeyGroupRange,
  inKeyGroupRange,
  keyGroupOfTable,
  keyGroupTable,
  type KeyGroupRange,
  type RestoreCheckpointOptions,
} from '../core/state-snapshot.js';
export { crc32 } from '../checkpoint/crc32.js';
export { decodeValue, encodeValue } from '../checkpoint/codec.js';
export { ColumnSections } from '../checkpoint/columns.js';
export {
  encodeEnvelope,
  openEnvelope,
  storedChecksum,
  EnvelopeError,
  type EnvelopeHeader,
  type EnvelopeProblem,
  type OpenedEnvelope,
} from '../checkpoint/envelope.js';
export { createCheckpointBackend, SnapshotBackend } from '../checkpoint/backend.js';
export type { BlobStore, SnapshotPlan } from '../checkpoint/backend-types.js';
export { exportSnapshot, importSnapshot } from '../checkpoint/snapshot-bytes.js';
export { MemoryBlobStore } from '../checkpoint/memory.js';
export { COMMIT_RECORD_KEY, type CommitRecord } from '../checkpoint/commit-record.js';
export { Checkpointing } from '../checkpoint/coordinator.js';
