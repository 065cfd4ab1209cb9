import { describeValue, InvalidTimestampError, StreamError } from '../core/errors.js';

/**
 * A watermark generator proposed something that is not a watermark: not a number, NaN, or a finite
 * number that is not a safe integer of milliseconds. -Infinity (nothing known yet) and +Infinity
 * (end of event time) are valid.
 */
export class InvalidWatermarkError extends StreamError {
  declare readonly watermark: unknown;
  constructor(watermark: unknown, reason: string) {
    super('INVALID_WATERMARK', `Invalid watermark ${describeValue(watermark)} from the watermark generator: ${reason}`);
    this.watermark = watermark;
  }
}

/**
 * Why `watermark` is not a usable watermark, or undefined if it is.
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * watermarkProblem(Number.NaN); // 'it is NaN (was the max timestamp computed from an undefined field?)'
 * ```
 */
export function watermarkProblem(watermark: unknown): string | undefined {
  if (watermark === undefined || watermark === null) return `it is missing (${String(watermark)})`;
  if (typeof watermark !== 'number') return `it is not a number but a ${typeof watermark}`;
  if (Number.isSafeInteger(watermark) || watermark === Infinity || watermark === -Infinity) return undefined;
  if (Number.isNaN(watermark)) return 'it is NaN (was the max timestamp computed from an undefined field?)';
  if (!Number.isInteger(watermark)) return 'it is not an integer number of milliseconds (round it, e.g. Math.floor)';
  return 'it is beyond Number.MAX_SAFE_INTEGER';
}

/**
 * A watermark generator used its `WatermarkOutput` after `onEvent` or `onPeriodicEmit` returned
 * (from a promise, a timer, ...). What it emitted there would have nowhere to go, so it fails loudly.
 */
export class WatermarkOutputClosedError extends StreamError {
  constructor(what: string) {
    super(
      'WATERMARK_OUTPUT_CLOSED',
      `WatermarkOutput.${what} was called after onEvent/onPeriodicEmit returned; a generator may only emit inside those calls (use onPeriodicEmit for time-driven watermarks)`,
    );
  }
}

/**
 * `withEventTime` found no timestamp in a value that is an array: most likely its input is an
 * Observable of arrays of values (a pulled source, `bufferTime`), which is what
 * `withEventTimeBatches` takes. Still an `InvalidTimestampError`, with the operator to use named.
 */
export class ArrayInputError extends InvalidTimestampError {
  constructor(element: readonly unknown[], cause: InvalidTimestampError) {
    super(
      element,
      cause.timestamp,
      `${cause.message.slice(cause.message.lastIndexOf(': ') + 2)}. The element is an array: for an Observable of arrays of values, use withEventTimeBatches, which takes each array as a batch`,
    );
  }
}

/**
 * The error to report when the per-value entry failed on `value`: an array whose timestamp is invalid
 * was most likely a batch given to `withEventTime`, so it becomes an `ArrayInputError` naming
 * `withEventTimeBatches`. Checked only once the value failed, so valid tuples pay nothing.
 */
export function perValueEntryError(value: unknown, error: unknown): unknown {
  return Array.isArray(value) && error instanceof InvalidTimestampError ? new ArrayInputError(value, error) : error;
}
