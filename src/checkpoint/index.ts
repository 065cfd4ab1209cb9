// Public API of src/checkpoint: the snapshot format, its codec, and the backend interface.
export {
  SNAPSHOT_FORMAT_VERSION, applyDelta, applyDeltas, isIncremental,
  type KeyedTableSnapshot, type OperatorStateSnapshot, type Snapshot, type SnapshotKind,
} from './snapshot.js';
export { crc32 } from './crc32.js';
export { ColumnSections, decodeValue, encodeValue, encodeEnvelope, openEnvelope, storedChecksum, EnvelopeError, type EnvelopeHeader, type EnvelopeProblem, type OpenedEnvelope } from './codec.js';
export {
  CorruptSnapshotError, IncompatibleSnapshotError, InvalidSnapshotError, NoRestorableSnapshotError, SnapshotError,
  SnapshotInUseError, SnapshotNotFoundError, StorageError, UnsupportedValueError,
  type SnapshotRef, type StorageFailure,
} from './errors.js';
export {
  createCheckpointBackend, exportSnapshot, importSnapshot, SnapshotBackend,
  type BlobStore, type CheckpointBackend, type CheckpointBackendOptions, type LoadOptions, type SnapshotPlan,
  type SnapshotSelector, type StoredSnapshotInfo,
} from './backend.js';
export { memoryBackend, MemoryBlobStore, type MemoryBackendOptions } from './memory.js';
