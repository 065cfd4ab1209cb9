/**
 * The classic word count, as in Flink's first example: read a text file, split each line into
 * lowercase words, key by word, keep a running count. Then the windowed variant: the same words
 * counted in 5-second tumbling windows of event time, taken from each log line's timestamp. Last,
 * the windowed count with checkpoints in files: stopped mid-stream at a checkpoint, restarted from
 * the latest, and every window result committed exactly once.
 *
 *   npm run demo                      # counts demo/wordcount/hamlet.log
 *   npm run demo -- path/to/file.log  # lines start with an ISO-8601 timestamp
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, map, toArray } from 'rxjs';
import {
  boundedOutOfOrderness,
  count,
  exactlyOnceSink,
  flatMapValues,
  keyBy,
  mapValues,
  PipelineMetrics,
  rollingReduce,
  SideOutput,
  startCheckpointing,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
  type InvalidRecord,
  type Key,
  type WindowResult,
} from '../../src/index.js';
import { showProgress } from '../progress.js';
import {
  fileBackend,
  readTextFile,
  readTextFileWithOffsets,
  type TextFilePosition,
  type TextLine,
} from '../../src/node/index.js';

const file = process.argv[2] ?? fileURLToPath(new URL('./hamlet.log', import.meta.url));
const TOP = 8;

interface LogLine {
  at: number;
  text: string;
}

/** "2026-01-01T09:00:01.300Z Whether 'tis nobler ..." -> { at, text } */
function parseLine(line: string): LogLine {
  const space = line.indexOf(' ');
  return { at: Date.parse(line.slice(0, space)), text: line.slice(space + 1) };
}

/** Lowercase words, split on non-word characters. */
function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\W+/)
    .filter((word) => word.length > 0);
}

// The file is read in batches of lines, pulled as the pipeline has room. The log collector delivers
// lines up to 2 s out of order: the watermark trails the newest line by 2 s.
const timedLines = () =>
  readTextFile(file).pipe(
    map((lines) => lines.filter((line) => line.trim().length > 0).map(parseLine)),
    withEventTimeBatches({ timestamp: (l: LogLine) => l.at, watermarks: boundedOutOfOrderness<LogLine>(2_000) }),
  );

async function runningCounts(): Promise<void> {
  const updates = await lastValueFrom(
    timedLines().pipe(
      flatMapValues((line: LogLine) => words(line.text)),
      keyBy((word: string) => word),
      mapValues((word: string): [string, number] => [word, 1]),
      rollingReduce((a: [string, number], b: [string, number]): [string, number] => [a[0], a[1] + b[1]], {
        uid: 'word-counts',
      }),
      toValues(),
      toArray(),
    ),
  );
  // Each update is the new running count of one word; the last update of a word is its total.
  const totals = new Map(updates);
  const top = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP);
  console.log(`Word count of ${file}: ${updates.length} words, ${totals.size} distinct. Top ${TOP}:`);
  for (const [word, n] of top) console.log(`  ${word.padEnd(12)} ${n}`);
}

type WordWindow = WindowResult<Key, number>;

async function windowedCounts(): Promise<WordWindow[]> {
  const results = await lastValueFrom(
    timedLines().pipe(
      flatMapValues((line: LogLine) => words(line.text)),
      keyBy((word: string) => word),
      window(tumblingEventTimeWindows(5_000)).aggregate(count()),
      toValues(),
      toArray(),
    ),
  );
  // All results of a window are emitted together, when the watermark passes the window's end.
  const byWindow = new Map<number, { end: number; counts: [string, number][] }>();
  for (const { key, window: w, value } of results) {
    const entry = byWindow.get(w.start) ?? { end: w.end, counts: [] };
    entry.counts.push([String(key), value]);
    byWindow.set(w.start, entry);
  }
  console.log(`\nTop words per 5-second event-time window:`);
  for (const [start, { end, counts }] of [...byWindow].sort((a, b) => a[0] - b[0])) {
    const top = counts.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 4);
    const span = `${new Date(start).toISOString().slice(11, 23)}-${new Date(end).toISOString().slice(11, 23)}`;
    console.log(`  [${span})  ${top.map(([w, n]) => `${w} ${n}`).join(', ')}`);
  }
  return results;
}

/**
 * The windowed count, checkpointed in files every millisecond: the first run stops mid-stream at a
 * checkpoint, the second restores from the latest checkpoint, goes on from the byte where that
 * checkpoint's barrier left the file, and finishes. The exactly-once sink
 * commits each checkpoint's results once it is stored, so together the two runs commit every window
 * result exactly once.
 */
async function checkpointedWindows(expected: readonly WordWindow[]): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'rxflink-wordcount-'));
  const committed = new Map<number, WordWindow[]>();
  // The first run asks for a checkpoint at line `stopAtLine` and stops once it is stored, as if the
  // process died there: mid-stream, never at the final checkpoint of a finished pipeline (which is
  // not restored). The second run restores from the latest checkpoint and finishes.
  const run = async (stopAtLine?: number): Promise<string> => {
    let linesRead = 0;
    let requested: Promise<unknown> | undefined;
    // Progress (lines read, their rate, the watermark) on one updating line in a terminal.
    const metrics = new PipelineMetrics({ job: stopAtLine === undefined ? 'wordcount, restored' : 'wordcount' });
    const progress = showProgress(metrics, 100);
    const checkpoints = await startCheckpointing({
      backend: fileBackend({ directory, pipelineId: 'wordcount' }),
      interval: 60_000,
      metrics,
    });
    await new Promise<void>((resolve, reject) => {
      const subscription = checkpoints
        .source(
          'log',
          readTextFileWithOffsets(file, { from: checkpoints.position('log'), batchSize: 1, yieldAfterMs: 0 }),
        )
        .pipe(
          withEventTimeBatches({
            timestamp: (l: TextLine) => parseLine(l.text).at,
            watermarks: boundedOutOfOrderness<TextLine>(2_000).withPeriod(1),
            invalid: new SideOutput<InvalidRecord<TextLine>>(), // blank or untimed lines are skipped (and counted)
            uid: 'log-lines',
          }),
          flatMapValues((l: TextLine) => {
            // At line `stopAtLine`, ask for a checkpoint: its barrier goes in after this batch.
            if (++linesRead === stopAtLine) requested = checkpoints.checkpoint();
            return words(parseLine(l.text).text);
          }),
          keyBy((word: string) => word),
          window(tumblingEventTimeWindows(5_000), { uid: 'windowed-counts' }).aggregate(count()),
          exactlyOnceSink<WordWindow, Key>(
            async (results, checkpointId) => {
              committed.set(checkpointId, [...results]);
            },
            { uid: 'results' },
          ),
        )
        .subscribe({ error: reject, complete: () => resolve() });
      checkpoints.completed.subscribe(() => {
        if (requested === undefined) return;
        void requested.then(() => {
          subscription.unsubscribe();
          resolve();
        });
        requested = undefined;
      });
    });
    if (stopAtLine === undefined) await checkpoints.whenFinished();
    progress.unsubscribe();
    const stoppedAt = checkpoints.stats.lastCheckpoint?.checkpointId;
    await checkpoints.close();
    const at = checkpoints.position<TextFilePosition>('log');
    return stopAtLine === undefined
      ? `checkpoint ${String(checkpoints.restored?.checkpointId)}, line ${String(at?.line)}`
      : `checkpoint ${String(stoppedAt)}`;
  };
  try {
    const stoppedAt = await run(8);
    const restoredFrom = await run();
    const describe = (r: WordWindow): string => `${String(r.key)}@${r.window.start}=${r.value}`;
    const all = [...committed.values()].flat().map(describe).sort();
    const same = JSON.stringify(all) === JSON.stringify(expected.map(describe).sort());
    console.log(`\nCheckpointed in files: stopped at ${stoppedAt}, restarted from ${restoredFrom} of the log:`);
    console.log(
      `  ${all.length} window results committed in ${committed.size} checkpoints, ${same ? 'each exactly once: the same as without checkpoints' : 'NOT the same as without checkpoints'}`,
    );
    if (!same) process.exitCode = 1;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

await runningCounts();
await checkpointedWindows(await windowedCounts());
