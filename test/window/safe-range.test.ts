import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import {
  count,
  eventTimeSessionWindows,
  keyBy,
  monotonousTimestamps,
  toRecords,
  tumblingEventTimeWindows,
  window,
  withEventTime,
  type WindowAssigner,
} from '../../src/index.js';

/** Runs values (their own timestamps) through a keyed window and returns the result records. */
function run(timestamps: number[], assigner: WindowAssigner<number>) {
  return lastValueFrom(
    from(timestamps).pipe(
      withEventTime({ timestamp: (t: number) => t, watermarks: monotonousTimestamps() }),
      keyBy(() => 'k'),
      window(assigner).aggregate(count()),
      toRecords(),
      toArray(),
    ),
  );
}

describe('windows at the top of the safe-integer range (found by the Beam testElementsAtAlmostPositiveInfinity port)', () => {
  const top = Number.MAX_SAFE_INTEGER - 1;

  it('a tumbling window that would end past 2^53 ends at 2^53, so its results carry the exact timestamp MAX_SAFE_INTEGER', async () => {
    const [result, ...rest] = await run([top, top], tumblingEventTimeWindows(21_600_000));
    expect(rest).toEqual([]);
    expect(result!.value.window).toEqual({ start: 9_007_199_244_000_000, end: 2 ** 53 });
    expect(result!.timestamp).toBe(Number.MAX_SAFE_INTEGER);
    expect(Number.isSafeInteger(result!.timestamp)).toBe(true);
    expect(result!.value.value).toBe(2);
  });

  it('a session whose gap reaches past 2^53 is capped the same way', async () => {
    const [result] = await run([top - 5, top], eventTimeSessionWindows(1_000));
    expect(result!.value.window).toEqual({ start: top - 5, end: 2 ** 53 });
    expect(result!.timestamp).toBe(Number.MAX_SAFE_INTEGER);
    expect(result!.value.value).toBe(2);
  });
});
