/**
 * Checks of option values, written once: each throws `InvalidOptionError` naming the option, the
 * value and what it must be, where the operator is built.
 */
import { InvalidOptionError } from './errors.js';

/**
 * Returns `value` if it is a safe integer >= 1, else throws `InvalidOptionError`. `unit` says what
 * the number counts, when the name does not ('bytes', 'milliseconds').
 *
 * @example
 * const batchSize = positiveInteger('batchSize', options.batchSize ?? 256);
 * const ttl = positiveInteger('ttl', config.ttl, 'milliseconds'); // "... must be a positive integer number of milliseconds"
 */
export function positiveInteger(option: string, value: unknown, unit?: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(
      option,
      value,
      `must be a positive integer${unit === undefined ? '' : ` number of ${unit}`}`,
    );
  }
  return value;
}
