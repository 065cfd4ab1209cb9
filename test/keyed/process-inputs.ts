// Inputs that the keyedProcess property tests generate, and how they are fed to an operator harness.
import fc from 'fast-check';
import { watermark, type StreamElement } from '../../src/index.js';
import { keyGroupOf, keyedRecord } from '../../src/engine/index.js';
import type { OperatorHarness } from '../../src/testing/index.js';

/** A record ahead of the watermark, a watermark step, or a processing-time step. */
export type InputOp =
  | { op: 'record'; key: number; value: number; ahead: number }
  | { op: 'watermark'; by: number }
  | { op: 'time'; by: number };

/** Arbitraries of the inputs, to combine with each test's own operations in `fc.oneof`. */
export function inputOps(maxKey: number, maxValue: number, maxAhead: number) {
  return [
    {
      weight: 5,
      arbitrary: fc.record({
        op: fc.constant('record' as const),
        key: fc.integer({ min: 0, max: maxKey }),
        value: fc.integer({ min: 0, max: maxValue }),
        ahead: fc.integer({ min: 1, max: maxAhead }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('watermark' as const), by: fc.integer({ min: 0, max: 8 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('time' as const), by: fc.integer({ min: 0, max: 15 }) }) },
  ];
}

type Harness = OperatorHarness<number, number, string, number>;

/** Feeds one input; `clock.wm` is the watermark so far. Returns false for an operation that is not an input. */
export function feed(h: Harness, o: { op: string }, clock: { wm: number }): boolean {
  const input = o as InputOp;
  switch (input.op) {
    case 'record':
      h.process(keyedRecord(input.value, clock.wm + input.ahead, input.key, keyGroupOf(input.key)));
      return true;
    case 'watermark':
      clock.wm += input.by;
      h.process(watermark(clock.wm));
      return true;
    case 'time':
      h.advanceProcessingTime(h.now + input.by);
      return true;
    default:
      return false;
  }
}

/** Ends the input (pending processing-time timers get 20 ms first) and returns what is left of the output. */
export function finish(h: Harness): StreamElement<string, number>[] {
  h.advanceProcessingTime(h.now + 20);
  h.end();
  return h.takeOutput();
}
