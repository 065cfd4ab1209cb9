/**
 * Public API of src/checkpoint: the coordinator that runs checkpoints through a pipeline
 * (coordinator.ts), the snapshot format, its codec, and the backend interface (docs/architecture.md §4). How
 * the coordinator uses a backend:
 * 1. Before triggering checkpoint n, ask `await backend.plan()`: `{ mode: 'full' }`, or
 *    `{ mode: 'incremental', parentCheckpointId }` when the chain bound allows a delta.
 * 2. Each stateful operator reports `{ stateVersion, state, keyed? }` under its uid when the barrier
 *    passes; keyed tables are `{ kind: 'full', keys, values }` or, relative to the parent,
 *    `{ kind: 'delta', keys, values, deletes }` (e.g. from the keyed state's `takeChanges()`).
 * 3. When every part has reported, `await backend.save(snapshot)` writes it as one unit. If it
 *    rejects, the changes the operators handed over are not stored: the next checkpoint must be full
 *    (a delta naming an unstored parent is refused with InvalidSnapshotError, never stored wrong).
 * 4. Restore: `await backend.load()` (latest, falling back past damaged ones, `onSkip` says which) or
 *    `load(id)` / `load({ name })`; it always returns full tables, chains resolved.
 * 5. Before sinks commit the output of a stored checkpoint, `await backend.recordCommit(id)`; the
 *    commit record (`commitRecord()`) then says which checkpoint a restore must not fall back past,
 *    and the highest id ever used, so that ids never repeat (restore-choice.ts).
 */
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
} from './snapshot.js';
export { crc32 } from './crc32.js';
export { decodeValue, encodeValue } from './codec.js';
export { ColumnSections } from './columns.js';
export {
  encodeEnvelope,
  openEnvelope,
  storedChecksum,
  EnvelopeError,
  type EnvelopeHeader,
  type EnvelopeProblem,
  type OpenedEnvelope,
} from './envelope.js';
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
} from './errors.js';
export { createCheckpointBackend, SnapshotBackend } from './backend.js';
export type {
  BlobStore,
  CheckpointBackend,
  CheckpointBackendOptions,
  LoadOptions,
  SnapshotPlan,
  SnapshotSelector,
  StoredSnapshotInfo,
} from './backend-types.js';
export { exportSnapshot, importSnapshot } from './snapshot-bytes.js';
export { memoryBackend, MemoryBlobStore, type MemoryBackendOptions } from './memory.js';
export { Checkpointing } from './coordinator.js';
export { startCheckpointing } from './startCheckpointing.js';
export type { CheckpointableSource, CheckpointingOptions, CheckpointStats } from './checkpointing-options.js';
export type { RestoreFallback, RestoreOptions } from './restore-choice.js';
export { COMMIT_RECORD_KEY, type CommitRecord } from './commit-record.js';
export type { StateMigration } from './restore-state.js';
export {
  CheckpointAbortedError,
  CommittedCheckpointLostError,
  FinishedPipelineError,
  LateStateReportError,
  PipelineStoppedError,
  StateVersionError,
  UnclaimedStateError,
} from './errors-inband.js';
