/**
 * The classic word count, as in Flink's first example: read a text file, split each line into
 * lowercase words, key by word, keep a running count. Then the windowed variant: the same words
 * counted in 5-second tumbling windows of event time, taken from each log line's timestamp.
 *
 *   npm run demo                      # counts demo/wordcount/hamlet.log
 *   npm run demo -- path/to/file.log  # lines start with an ISO-8601 timestamp
 */
import { fileURLToPath } from 'node:url';
import { lastValueFrom, map, toArray } from 'rxjs';
import {
  boundedOutOfOrderness, count, flatMapValues, keyBy, mapValues, rollingReduce, toValues, tumblingEventTimeWindows,
  window, withEventTimeBatches,
} from '../../src/index.js';
import { readTextFile } from '../../src/node/index.js';

const file = process.argv[2] ?? fileURLToPath(new URL('./hamlet.log', import.meta.url));
const TOP = 8;

interface LogLine { at: number; text: string }

/** "2026-01-01T09:00:01.300Z Whether 'tis nobler ..." -> { at, text } */
function parseLine(line: string): LogLine {
  const space = line.indexOf(' ');
  return { at: Date.parse(line.slice(0, space)), text: line.slice(space + 1) };
}

/** Lowercase words, split on non-word characters. */
function words(text: string): string[] {
  return text.toLowerCase().split(/\W+/).filter((word) => word.length > 0);
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
      rollingReduce((a: [string, number], b: [string, number]): [string, number] => [a[0], a[1] + b[1]], { uid: 'word-counts' }),
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

async function windowedCounts(): Promise<void> {
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
}

await runningCounts();
await windowedCounts();
