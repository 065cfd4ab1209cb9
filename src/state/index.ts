// Public API of src/state: keyed state backend, descriptors, TTL, timers, serializability checks.
export { KeyedStateBackend, type KeyedStateBackendOptions } from './backend.js';
export type { AggregatingState, ListState, MapState, Namespace, ReducingState, ValueState } from './state-types.js';
export type {
  KeyedRestoreOptions,
  KeyedStateCheckpoint,
  KeyedStateExport,
  KeyedStateHeader,
  KeyedStateSnapshot,
  StateSegmentSnapshot,
  StateTableLayout,
  StateTableSnapshot,
} from './snapshot-types.js';
export {
  aggregatingState,
  listState,
  mapState,
  reducingState,
  valueState,
  type AggregateFunction,
  type AggregatingStateDescriptor,
  type AnyStateDescriptor,
  type StateDescriptorBase,
  type ListStateDescriptor,
  type MapStateDescriptor,
  type ReducingStateDescriptor,
  type StateKind,
  type StateOptions,
  type ValueStateDescriptor,
} from './descriptors.js';
export {
  isExpired,
  resolveTtl,
  type ResolvedTtl,
  type StateTtlConfig,
  type TtlUpdateType,
  type TtlVisibility,
} from './ttl.js';
export { checkSerializable, findUnserializable } from './serializable.js';
export { StateDescriptorError, StateNotSerializableError, StateRestoreError, type StateLocation } from './errors.js';
export { keyFromId } from './key-id.js';
export { KEYED_STATE_FORMAT } from './snapshot-types.js';
export type { KeyedRowSource } from './row-source.js';
export { migrateKeyedState, type MigrationContext } from './format-migration.js';
export {
  InternalTimerService,
  TimerQueue,
  type InternalTimer,
  type TimerTarget,
} from './timers.js';
