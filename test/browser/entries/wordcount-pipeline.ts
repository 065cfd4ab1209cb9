// One pipeline, two platforms (docs/architecture.md §6): the windowed word count, run the same way in Node and
// in Chromium by test/browser/pipeline.test.ts. Imports only the core entry point.
import { lastValueFrom, map, toArray } from 'rxjs';
import {
  boundedOutOfOrderness,
  count,
  flatMapValues,
  fromIterable,
  keyBy,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
} from '../../../src/index.js';

export interface WordWindowCount {
  word: string;
  start: number;
  end: number;
  count: number;
}

/** Lines of "<ISO time> <text>", in 5-second event-time windows, pulled from an array 3 lines at a time. */
export function windowedWordCount(lines: readonly string[]): Promise<WordWindowCount[]> {
  return lastValueFrom(
    fromIterable(lines, { batchSize: 3 }).pipe(
      map((batch) =>
        batch.map((line) => ({
          at: Date.parse(line.slice(0, line.indexOf(' '))),
          text: line.slice(line.indexOf(' ') + 1),
        })),
      ),
      withEventTimeBatches({
        timestamp: (l: { at: number }) => l.at,
        watermarks: boundedOutOfOrderness<{ at: number; text: string }>(2_000),
      }),
      flatMapValues((l: { text: string }) =>
        l.text
          .toLowerCase()
          .split(/\W+/)
          .filter((w) => w.length > 0),
      ),
      keyBy((w: string) => w),
      window(tumblingEventTimeWindows(5_000)).aggregate(count()),
      toValues(),
      map((r) => ({ word: String(r.key), start: r.window.start, end: r.window.end, count: r.value })),
      toArray(),
    ),
  );
}
