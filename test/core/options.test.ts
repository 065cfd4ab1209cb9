import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/core/errors.js';
import { positiveInteger } from '../../src/core/options.js';

describe('positiveInteger', () => {
  it('returns a safe integer >= 1', () => {
    expect(positiveInteger('batchSize', 1)).toBe(1);
    expect(positiveInteger('batchSize', Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([0, -1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1, '3', undefined, null])(
    'refuses %s, naming the option',
    (value) => {
      const error = (() => {
        try {
          positiveInteger('batchSize', value);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('batchSize');
      expect((error as InvalidOptionError).message).toMatch(/batchSize.*must be a positive integer$/);
    },
  );

  it('says what the number counts', () => {
    expect(() => positiveInteger('ttl', 0, 'milliseconds')).toThrow(
      /must be a positive integer number of milliseconds/,
    );
  });
});
