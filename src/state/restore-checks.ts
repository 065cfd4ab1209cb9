/**
 * Checks of the state an operator is given to restore (from a checkpoint that JSON, a migration or
 * a person may have changed). Each returns the value with its type, or throws a `StateRestoreError`
 * naming the operator's uid and the field, so that nothing restores as a silent default: a `null`
 * watermark (what JSON makes of -Infinity) must not become 0 (issue 17 item 10).
 */
import { describeValue } from '../core/errors.js';
import { StateRestoreError } from './errors.js';

/** How a failed check is reported: the default raises a `StateRestoreError`. */
export type RestoreFailure = (field: string, reason: string) => Error;

/**
 * The checks for one operator's state.
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * const check = new RestoreChecks('counts');
 * const s = check.object(state, 'state');
 * const watermark = check.watermark(s.watermark, 'state.watermark'); // null: throws, naming the field
 * ```
 */
export class RestoreChecks {
  readonly #fail: RestoreFailure;

  constructor(
    uid: string | undefined,
    fail: RestoreFailure = (field, reason) => new StateRestoreError(uid, reason, field),
  ) {
    this.#fail = fail;
  }

  /** Raises the failure for `field`. */
  fail(field: string, reason: string): never {
    throw this.#fail(field, reason);
  }

  /** A non-array object. */
  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(field, `is ${describeValue(value)}, expected an object`);
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, `is ${describeValue(value)}, expected an array`);
    return value;
  }

  boolean(value: unknown, field: string): boolean {
    if (typeof value !== 'boolean') this.fail(field, `is ${describeValue(value)}, expected true or false`);
    return value;
  }

  /** A watermark: a safe integer, or ±Infinity (none yet / end of input). JSON turns ±Infinity into null. */
  watermark(value: unknown, field: string): number {
    if (typeof value !== 'number' || !(Number.isSafeInteger(value) || value === Infinity || value === -Infinity)) {
      this.fail(
        field,
        `is ${describeValue(value)}, not a watermark (a safe integer or ±Infinity${value === null ? "; JSON turns ±Infinity into null, store snapshots with the library's codec" : ''})`,
      );
    }
    return value;
  }

  /** A point in time or a timer: a safe integer. */
  time(value: unknown, field: string): number {
    if (!Number.isSafeInteger(value)) this.fail(field, `is ${describeValue(value)}, expected a safe integer time`);
    return value as number;
  }

  /** An integer in [min, max]. */
  integer(value: unknown, field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
      this.fail(field, `is ${describeValue(value)}, expected an integer from ${min} to ${max}`);
    }
    return value as number;
  }

  /** An array of times (safe integers). */
  times(value: unknown, field: string): number[] {
    const times = this.array(value, field);
    for (let i = 0; i < times.length; i++) this.time(times[i], `${field}[${i}]`);
    return times as number[];
  }
}
