import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/core/errors.js';
import {
  checkParallelism,
  defaultMaxParallelism,
  keyGroupRangeForSubtask,
  subtaskForKeyGroup,
} from '../../src/core/key-group-assignment.js';

// Expected values worked out by hand with Java's integer division, as Flink's
// KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex computes them.
describe('keyGroupRangeForSubtask (Flink computeKeyGroupRangeForOperatorIndex)', () => {
  it('splits 128 key groups over 3 subtasks as Flink does', () => {
    expect([0, 1, 2].map((i) => keyGroupRangeForSubtask(128, 3, i))).toEqual([
      { start: 0, end: 42 },
      { start: 43, end: 85 },
      { start: 86, end: 127 },
    ]);
  });

  it('splits 128 key groups over 5 subtasks as Flink does', () => {
    expect([0, 1, 2, 3, 4].map((i) => keyGroupRangeForSubtask(128, 5, i))).toEqual([
      { start: 0, end: 25 },
      { start: 26, end: 51 },
      { start: 52, end: 76 },
      { start: 77, end: 102 },
      { start: 103, end: 127 },
    ]);
  });

  it('gives the whole range to a single subtask', () => {
    expect(keyGroupRangeForSubtask(128, 1, 0)).toEqual({ start: 0, end: 127 });
  });

  it('covers every key group exactly once, and subtaskForKeyGroup finds the owner', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 64 }), (maxParallelism, p) => {
        fc.pre(p <= maxParallelism);
        let next = 0;
        for (let i = 0; i < p; i++) {
          const range = keyGroupRangeForSubtask(maxParallelism, p, i);
          expect(range.start).toBe(next);
          expect(range.end).toBeGreaterThanOrEqual(range.start);
          for (const kg of [range.start, range.end]) expect(subtaskForKeyGroup(maxParallelism, p, kg)).toBe(i);
          next = range.end + 1;
        }
        expect(next).toBe(maxParallelism);
      }),
    );
  });

  it('rejects a subtask index out of range, naming the option', () => {
    expect(() => keyGroupRangeForSubtask(128, 2, 2)).toThrow(InvalidOptionError);
    expect(() => keyGroupRangeForSubtask(128, 2, 2)).toThrow(/operatorIndex/);
  });
});

describe('defaultMaxParallelism (Flink computeDefaultMaxParallelism)', () => {
  it('is 1.5 x parallelism rounded up to a power of two, within [128, 32768]', () => {
    expect(defaultMaxParallelism(1)).toBe(128);
    expect(defaultMaxParallelism(85)).toBe(128);
    expect(defaultMaxParallelism(86)).toBe(256);
    expect(defaultMaxParallelism(100)).toBe(256);
    expect(defaultMaxParallelism(30000)).toBe(32768);
  });
});

describe('checkParallelism', () => {
  it('rejects more subtasks than key groups, naming parallelism', () => {
    expect(() => checkParallelism(128, 129)).toThrow(/parallelism/);
    expect(() => checkParallelism(128, 0)).toThrow(InvalidOptionError);
    expect(() => checkParallelism(40000, 2)).toThrow(/maxParallelism/);
    expect(() => checkParallelism(128, 4)).not.toThrow();
  });
});
