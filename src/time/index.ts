export { WatermarkStrategy, DEFAULT_WATERMARK_PERIOD, type WatermarkCadence } from './watermark-strategy.js';
export {
  boundedOutOfOrderness,
  monotonousTimestamps,
  punctuatedWatermarks,
  customWatermarks,
  noWatermarks,
} from './built-in-watermarks.js';
export type { WatermarkGenerator, WatermarkOutput } from './watermark-generator.js';
export { TimestampsAndWatermarksOperator } from './snapshotting-entry.js';
export type { EventTimeEntrySnapshot, InvalidRecord, TimestampsAndWatermarksOptions } from './event-time-options.js';
export { withEventTime, withEventTimeBatches, type EventTimeOptions } from './withEventTime.js';
export { WatermarkValve } from './watermark-valve.js';
export { mergeTimed, type TimedValueOf, type TimedKeyOf } from './mergeTimed.js';
export { checkTimestamp, timestampProblem } from './timestamps.js';
export { InvalidWatermarkError, WatermarkOutputClosedError } from './errors.js';
