/**
 * Foundation benchmark (issue 2): events/s through the entry operator and keyBy, against a
 * hand-written loop over the same pre-generated events, in the same run. Workload: the windows
 * issue's (2,000,000 events over 10,000 keys, up to 500 ms of disorder), fed in batches of 1,000.
 * Watermark rule for both: bounded out-of-orderness 500 ms, proposed after every 1,000 events.
 */
import { from } from 'rxjs';
import { fileURLToPath } from 'node:url';
import { customWatermarks, keyBy, withEventTimeBatches, type WatermarkGenerator } from '../src/index.js';
import { keyGroupOf } from '../src/engine/index.js';
import { compare, formatRows, type Measured } from './lib.js';
import { generateWindowWorkload, type WindowEvent } from './window-workload.js';

const BATCH = 1_000;
const DELAY = 500;

function batchesOf(events: readonly WindowEvent[]): WindowEvent[][] {
  const batches: WindowEvent[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  return batches;
}

/** What both sides compute: records out, watermarks out, and a checksum of key groups. */
interface Result {
  records: number;
  watermarks: number;
  keyGroupSum: number;
}

function handLoop(events: readonly WindowEvent[]): Result {
  const groupOf = new Map<string, number>();
  let max = -Infinity;
  let current = -Infinity;
  const result: Result = { records: 0, watermarks: 0, keyGroupSum: 0 };
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const ts = event.ts;
    if (!Number.isSafeInteger(ts)) throw new Error('bad timestamp');
    let group = groupOf.get(event.key);
    if (group === undefined) {
      group = keyGroupOf(event.key);
      groupOf.set(event.key, group);
    }
    result.records++;
    result.keyGroupSum += group;
    if (ts > max) max = ts;
    if ((i + 1) % BATCH === 0 && max - DELAY - 1 > current) {
      current = max - DELAY - 1;
      result.watermarks++;
    }
  }
  result.watermarks++; // end of input
  return result;
}

function everyBatchGenerator(): WatermarkGenerator<WindowEvent> {
  let max = -Infinity;
  let seen = 0;
  return {
    onEvent: (_e, ts, out) => {
      if (ts > max) max = ts;
      if (++seen % BATCH === 0) out.emitWatermark(max - DELAY - 1);
    },
    onPeriodicEmit: () => undefined,
  };
}

function library(batches: readonly WindowEvent[][]): Result {
  const result: Result = { records: 0, watermarks: 0, keyGroupSum: 0 };
  from(batches)
    .pipe(
      withEventTimeBatches({
        timestamp: (e: WindowEvent) => e.ts,
        watermarks: customWatermarks(everyBatchGenerator, 0),
      }),
      keyBy((e: WindowEvent) => e.key),
    )
    .subscribe((batch) => {
      for (const element of batch) {
        if (element.kind === 'record') {
          result.records++;
          result.keyGroupSum += element.keyGroup;
        } else if (element.kind === 'watermark') result.watermarks++;
      }
    });
  return result;
}

export async function runEntryBench(log: (line: string) => void = console.log): Promise<Measured[]> {
  const rows: Measured[] = [];
  for (const keys of [10_000, 100]) {
    const events = generateWindowWorkload({ keys });
    const batches = batchesOf(events);
    const expected = handLoop(events);
    const actual = library(batches);
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      throw new Error(
        `entry bench: results differ: hand ${JSON.stringify(expected)} vs library ${JSON.stringify(actual)}`,
      );
    }
    const measured = compare(events.length, [
      { name: 'hand-written loop (baseline)', run: () => handLoop(events) },
      { name: 'withEventTimeBatches + keyBy', run: () => library(batches) },
    ]);
    log(
      formatRows(
        `Entry operator + keyBy, ${events.length.toLocaleString('en')} events over ${keys.toLocaleString('en')} keys:`,
        measured,
      ),
    );
    rows.push(...measured);
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runEntryBench();
