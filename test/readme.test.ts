// The examples of README.md, run as written, so the README cannot drift from the library.
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { filter, from, lastValueFrom, map, pipe, toArray } from 'rxjs';
import {
  END_OF_STREAM,
  boundedOutOfOrderness,
  count,
  keyBy,
  punctuatedWatermarks,
  record,
  sum,
  toValues,
  tumblingEventTimeWindows,
  watermark,
  window,
  windowBy,
  withEventTime,
} from '../src/index.js';
import { inLatePane, inOnTimePane, runWithRestore, testStream, timestamped, unbatched } from '../src/testing/index.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exactlyOnceSink,
  startCheckpointing,
  withEventTimeBatches,
  type Key,
  type WindowResult,
} from '../src/index.js';
import { fileBackend, readTextFileWithOffsets, type TextFilePosition, type TextLine } from '../src/node/index.js';

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
        a: record(1000, 1000),
        b: record(1500, 1500),
        w: watermark(899),
        e: END_OF_STREAM,
      });
    });
  });

  it('testing section: watermarks per event land at the frame of their record, off the 200 ms grid', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ hot, expectObservable }) => {
      const input = hot('a 49ms b 9ms |', { a: 1000, b: 1500 });
      const perEvent = input.pipe(
        withEventTime({ timestamp: (v: number) => v, watermarks: punctuatedWatermarks<number>((_v, ts) => ts - 101) }),
        unbatched(),
      );
      expectObservable(perEvent).toBe('(aw) 46ms (bx) 6ms (e|)', {
        a: record(1000, 1000),
        w: watermark(899),
        b: record(1500, 1500),
        x: watermark(1399),
        e: END_OF_STREAM,
      });
    });
  });

  it('testing section: .withPeriod(1) puts the first watermark at frame 1, the next ones with their records', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ hot, expectObservable }) => {
      const input = hot('a 49ms b 9ms |', { a: 1000, b: 1500 });
      const out = input.pipe(
        withEventTime({ timestamp: (v: number) => v, watermarks: boundedOutOfOrderness<number>(100).withPeriod(1) }),
        unbatched(),
      );
      expectObservable(out).toBe('aw 48ms (bx) 6ms (e|)', {
        a: record(1000, 1000),
        w: watermark(899),
        b: record(1500, 1500),
        x: watermark(1399),
        e: END_OF_STREAM,
      });
    });
  });

  it('testing section: testStream() scripts elements, watermarks and processing time, one frame per step', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ expectObservable }) => {
      const pages = testStream<string>()
        .addElements(timestamped('/home', 1_000), timestamped('/cart', 2_000)) // frame 0
        .advanceWatermarkTo(59_999) // frame 1: [0, 60000) fires
        .addElements(timestamped('/home', 30_000)) // frame 2: late, dropped (and counted)
        .advanceProcessingTime(1_000)
        .addElements(timestamped('/home', 60_000)) // frame 1002
        .advanceWatermarkToInfinity(); // frame 1003: [60000, 120000) fires, then the end
      const counts = pages.pipe(
        keyBy((page) => page),
        window(tumblingEventTimeWindows(60_000)).aggregate(count()),
        toValues(),
        map((r) => `${r.key} ${r.value}`),
      );
      expectObservable(counts).toBe('-(hc) 998ms (n|)', { h: '/home 1', c: '/cart 1', n: '/home 1' });
    });
  });

  it('testing section: checkpointAndRestore() under runWithRestore, in one marble', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ expectObservable }) => {
      const input = testStream<number>()
        .addElements(timestamped(1, 10), timestamped(2, 20))
        .checkpointAndRestore() // frame 1
        .addElements(timestamped(3, 30)) // frame 2, in the restored pipeline
        .advanceWatermarkToInfinity();
      const sums = runWithRestore(
        input,
        pipe(
          keyBy(() => 'all'),
          window(tumblingEventTimeWindows(1_000), { uid: 'sums' }).aggregate(sum((v: number) => v)),
          toValues(),
          map((r) => r.value),
        ),
      );
      expectObservable(sums).toBe('---(x|)', { x: 6 }); // 1 + 2 restored, + 3
    });
  });

  it('testing section: pane assertions select the on-time and the late firing of a window', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ expectObservable }) => {
      const counts = testStream<string>()
        .addElements(timestamped('/home', 1_000)) // frame 0
        .advanceWatermarkTo(59_999) // frame 1: [0, 60000) fires on time
        .addElements(timestamped('/home', 30_000)) // frame 2: late, within the lateness: fires again
        .pipe(
          keyBy((page) => page),
          window(tumblingEventTimeWindows(60_000), { allowedLateness: 10_000 }).aggregate(count()),
          toValues(),
        );
      const minute = { start: 0, end: 60_000 };
      expectObservable(
        counts.pipe(
          filter(inOnTimePane(minute)),
          map((r) => r.value),
        ),
      ).toBe('-a|', { a: 1 });
      expectObservable(
        counts.pipe(
          filter(inLatePane(minute)),
          map((r) => `${r.value} #${r.pane.index}`),
        ),
      ).toBe('--(b|)', { b: '2 #1' });
    });
  });

  it('quick start: clicks per page in one-minute event-time windows', async () => {
    interface Click {
      page: string;
      at: number;
    }
    const clicks$ = from<Click[]>([
      { page: '/home', at: 1_000 },
      { page: '/cart', at: 2_000 },
      { page: '/home', at: 59_999 },
      { page: '/home', at: 60_000 },
      { page: '/home', at: 30_000 },
    ]);
    const clicksPerPage$ = clicks$.pipe(
      withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(2_000) }),
      keyBy((c) => c.page),
      windowBy(tumblingEventTimeWindows(60_000)).aggregate(count()),
      toValues(),
    );
    const results = await lastValueFrom(clicksPerPage$.pipe(toArray()));
    // Each window fires once, when the watermark passes its end: its only pane, on time.
    const pane = { timing: 'ON_TIME', index: 0, isFirst: true, isLast: true };
    expect(results).toEqual(
      expect.arrayContaining([
        { key: '/home', window: { start: 0, end: 60_000 }, value: 3, pane },
        { key: '/cart', window: { start: 0, end: 60_000 }, value: 1, pane },
        { key: '/home', window: { start: 60_000, end: 120_000 }, value: 1, pane },
      ]),
    );
    expect(results).toHaveLength(3);
  });

  it('checkpoints: the word count with a file backend, restored after a stop, commits each result once', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rxflink-readme-'));
    try {
      const log = join(root, 'words.log');
      await writeFile(
        log,
        `${Array.from({ length: 400 }, (_, i) => `${i * 50} ${['to', 'be', 'or', 'not'][i % 4]}`).join('\n')}\n`,
      );
      const committed = new Map<number, string[]>();
      const saveResults = async (checkpointId: number, results: readonly WindowResult<Key, number>[]) => {
        committed.set(
          checkpointId,
          results.map((r) => `${String(r.key)}@${r.window.start}=${r.value}`),
        );
      };
      // The first run asks for a checkpoint at line `stopAtLine` and stops once it is stored (as if
      // the process died there, mid-stream); the second restores it and runs to the end.
      const runOnce = async (stopAtLine?: number) => {
        // As in README.md, with the paths of this test.
        const checkpoints = await startCheckpointing({
          backend: fileBackend({ directory: join(root, 'state'), pipelineId: 'wordcount' }),
          interval: 60_000,
        });
        const restoredAt = checkpoints.position<TextFilePosition>('lines')?.line;
        let linesRead = 0;
        let requested: Promise<unknown> | undefined;
        const timestamp = (l: TextLine): number => {
          if (++linesRead === stopAtLine) requested = checkpoints.checkpoint();
          return Number(l.text.split(' ')[0]);
        };
        await new Promise<void>((resolve, reject) => {
          const subscription = checkpoints
            .source(
              'lines',
              readTextFileWithOffsets(log, { from: checkpoints.position('lines'), batchSize: 10, yieldAfterMs: 0 }),
            )
            .pipe(
              withEventTimeBatches({ timestamp, watermarks: boundedOutOfOrderness(2_000).withPeriod(1), uid: 'entry' }),
              keyBy((l: TextLine) => l.text.split(' ')[1]!),
              window(tumblingEventTimeWindows(5_000), { uid: 'counts' }).aggregate(count()),
              exactlyOnceSink((results, checkpointId) => saveResults(checkpointId, results), { uid: 'results' }),
            )
            .subscribe({ error: reject, complete: () => resolve() });
          checkpoints.completed.subscribe(() => {
            if (requested === undefined) return;
            void requested.then(() => {
              subscription.unsubscribe();
              checkpoints.stop();
              resolve();
            });
            requested = undefined;
          });
        });
        if (stopAtLine === undefined) await checkpoints.whenFinished();
        await checkpoints.close();
        return restoredAt;
      };
      expect(await runOnce(100)).toBeUndefined();
      // Restored mid-stream: at the barrier injected between two batches after line 100.
      const restoredAt = await runOnce();
      expect(restoredAt).toBeGreaterThanOrEqual(100);
      expect(restoredAt).toBeLessThan(400);
      const results = [...committed.values()].flat().sort();
      // 400 lines 50 ms apart: 20 s of words, four windows of 5 s with 25 of each word.
      expect(results).toEqual(
        ['be', 'not', 'or', 'to'].flatMap((w) => [0, 5_000, 10_000, 15_000].map((s) => `${w}@${s}=25`)).sort(),
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
