/**
 * rxflink: Apache Flink's model of stream processing as RxJS operators.
 * The core entry point imports nothing from Node or the DOM.
 */
export * from './core/elements.js';
export * from './core/errors.js';
export { Counters } from './core/counters.js';
export { checkKey, hashKey, keyGroupOf, keyId, DEFAULT_MAX_PARALLELISM, type Key, type KeyPart } from './core/keys.js';
export { processBatch, processElement, type Output, type OperatorRuntime, type StreamOperator } from './core/operator.js';
export type { ProcessingTimeService } from './core/time.js';
export {
  ALREADY_RESTORED, DuplicateUidError, MissingUidError, RESTORE_CONTROL,
  type PendingCheckpoint, type RestoreSource, type SourceCheckpointLink, type SourcePort,
} from './core/checkpointing.js';
export { fromStreamOperator, type SchedulerOption } from './rx/operator-function.js';
export { SideOutput } from './rx/side-output.js';
export * from './keyed/index.js';
export { mapValues, type RecordContext } from './stream/mapValues.js';
export { filterValues } from './stream/filterValues.js';
export { flatMapValues } from './stream/flatMapValues.js';
export { toValues, toRecords } from './stream/toValues.js';
export * from './time/index.js';
export * from './window/index.js';
export * from './state/index.js';
export * from './flow/index.js';
export * from './sources/index.js';
export * from './sinks/index.js';
export * from './checkpoint/index.js';
