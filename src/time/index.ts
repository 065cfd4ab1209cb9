export {
  WatermarkStrategy, boundedOutOfOrderness, monotonousTimestamps, punctuatedWatermarks, customWatermarks, noWatermarks,
  DEFAULT_WATERMARK_PERIOD, type WatermarkCadence, type WatermarkGenerator, type WatermarkOutput,
} from './watermark-strategy.js';
export { TimestampsAndWatermarksOperator, type EventTimeEntrySnapshot, type InvalidRecord, type TimestampsAndWatermarksOptions } from './timestamps-and-watermarks.js';
export { withEventTime, withEventTimeBatches, type EventTimeOptions } from './withEventTime.js';
export { WatermarkValve } from './watermark-valve.js';
export { mergeTimed, type TimedValueOf, type TimedKeyOf } from './mergeTimed.js';
export { checkTimestamp, timestampProblem } from './timestamps.js';
export { InvalidWatermarkError, WatermarkOutputClosedError } from './errors.js';
