// The examples of README.md, run as written, so the README cannot drift from the library.
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { from, lastValueFrom, toArray } from 'rxjs';
import {
  END_OF_STREAM, boundedOutOfOrderness, count, keyBy, record, toValues, tumblingEventTimeWindows, watermark, window, withEventTime,
} from '../src/index.js';
import { unbatched } from '../src/testing/index.js';

describe('README', () => {
  it('marble example: periodic watermark of bounded out-of-orderness', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ hot, expectObservable }) => {
      const input = hot('a 299ms b 99ms |', { a: 1000, b: 1500 });
      const out = input.pipe(
        withEventTime({ timestamp: (v: number) => v, watermarks: boundedOutOfOrderness<number>(100) }),
        unbatched(),
      );
      // the periodic emission at 200 ms has seen max 1000: watermark 1000 - 100 - 1
      expectObservable(out).toBe('a 199ms w 99ms b 99ms (e|)', {
        a: record(1000, 1000), b: record(1500, 1500), w: watermark(899), e: END_OF_STREAM,
      });
    });
  });

  it('first pipeline: clicks per page in one-minute event-time windows', async () => {
    interface Click { page: string; at: number }
    const clicks$ = from<Click[]>([
      { page: '/home', at: 1_000 }, { page: '/cart', at: 2_000 }, { page: '/home', at: 59_999 },
      { page: '/home', at: 60_000 }, { page: '/home', at: 30_000 },
    ]);
    const clicksPerPage$ = clicks$.pipe(
      withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(2_000) }),
      keyBy((c: Click) => c.page),
      window(tumblingEventTimeWindows(60_000)).aggregate(count()),
      toValues(),
    );
    const results = await lastValueFrom(clicksPerPage$.pipe(toArray()));
    expect(results).toEqual(expect.arrayContaining([
      { key: '/home', window: { start: 0, end: 60_000 }, value: 3 },
      { key: '/cart', window: { start: 0, end: 60_000 }, value: 1 },
      { key: '/home', window: { start: 60_000, end: 120_000 }, value: 1 },
    ]));
    expect(results).toHaveLength(3);
  });
});
