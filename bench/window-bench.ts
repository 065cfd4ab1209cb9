/**
 * Window benchmark (issue 3): tumbling 1 s event-time windows with count and sum per key, bounded
 * out-of-orderness watermark of 500 ms emitted once per input batch of 1,000 events.
 *  (a) the fastest honest hand-written loop: keys interned to ints, typed-array accumulators;
 *  (b) the library: record() + keyBy + window(tumblingEventTimeWindows).aggregate(combine(count, sum));
 *  (c) plain RxJS: groupBy + mergeMap, as users write it today.
 * Every variant's results are checked against (a) before timing. Run on its own with
 * `node --expose-gc --import tsx bench/window-bench.ts`.
 */
import { from, groupBy, mergeMap, Observable, concat, defer, tap, type Subscription } from 'rxjs';
import { record, watermark, type StreamBatch, type StreamElement } from '../src/core/elements.js';
import { keyBy } from '../src/keyed/keyBy.js';
import { combine, count, sum } from '../src/window/aggregates.js';
import { tumblingEventTimeWindows } from '../src/window/assigners.js';
import { window } from '../src/window/window.js';
import type { WindowResult } from '../src/window/operator.js';
import { generateWindowWorkload, type WindowEvent } from './window-workload.js';

const SIZE = 1000;
const DELAY = 500;
const BATCH = 1000;

/** Receives each result: key, window start, count, sum. */
type Sink = (key: string, start: number, count: number, sum: number) => void;

// ---------- (a) hand-written loop ----------

export function handLoop(events: readonly WindowEvent[], sink: Sink): void {
  const SLOTS = 4; // live windows per key: at most 3 (500 ms disorder + one batch of lag + the window)
  const keyIndex = new Map<string, number>();
  const names: string[] = [];
  let capacity = 1024;
  let counts = new Float64Array(capacity * SLOTS);
  let sums = new Float64Array(capacity * SLOTS);
  let slotWindow = new Float64Array(capacity * SLOTS).fill(NaN);
  const touched = new Map<number, number[]>(); // window index -> keys with data in it
  let lowest = Infinity;
  let maxTs = -Infinity;
  let wm = -Infinity;
  let start0 = NaN;
  let start1 = NaN;
  const fire = (upTo: number): void => {
    // Fires every window w with w * SIZE + SIZE - 1 <= upTo, in window order.
    while (touched.size > 0) {
      if (lowest * SIZE + SIZE - 1 > upTo) break;
      const keys = touched.get(lowest);
      if (keys !== undefined) {
        touched.delete(lowest);
        const slotBase = ((lowest % SLOTS) + SLOTS) % SLOTS;
        for (let j = 0; j < keys.length; j++) {
          const k = keys[j]!;
          const slot = k * SLOTS + slotBase;
          sink(names[k]!, lowest * SIZE, counts[slot]!, sums[slot]!);
          slotWindow[slot] = NaN;
        }
      }
      lowest++;
      if (touched.size === 0) lowest = Infinity;
    }
  };
  const n = events.length;
  for (let b = 0; b < n; b += BATCH) {
    const end = Math.min(n, b + BATCH);
    for (let i = b; i < end; i++) {
      const e = events[i]!;
      let k = keyIndex.get(e.key);
      if (k === undefined) {
        k = names.length;
        keyIndex.set(e.key, k);
        names.push(e.key);
        if (k >= capacity) {
          capacity *= 2;
          const c = new Float64Array(capacity * SLOTS);
          c.set(counts);
          counts = c;
          const s = new Float64Array(capacity * SLOTS);
          s.set(sums);
          sums = s;
          const w = new Float64Array(capacity * SLOTS).fill(NaN);
          w.set(slotWindow);
          slotWindow = w;
        }
      }
      const ts = e.ts;
      if (ts > maxTs) maxTs = ts;
      // Window start; the last two starts are cached, which avoids a floating-point modulo.
      let start = start0;
      if (!(ts >= start && ts - start < SIZE)) {
        start = start1;
        if (!(ts >= start && ts - start < SIZE)) {
          const r = ts % SIZE;
          start = r < 0 ? ts - (r + SIZE) : ts - r;
        }
        start1 = start0;
        start0 = start;
      }
      if (start + SIZE - 1 <= wm) continue; // late (never happens with this workload)
      const w = start / SIZE;
      const slot = k * SLOTS + (((w % SLOTS) + SLOTS) % SLOTS);
      if (slotWindow[slot] !== w) {
        if (!Number.isNaN(slotWindow[slot]!)) throw new Error('hand loop: more than 4 live windows for a key');
        slotWindow[slot] = w;
        counts[slot] = 0;
        sums[slot] = 0;
        let list = touched.get(w);
        if (list === undefined) {
          list = [];
          touched.set(w, list);
          if (w < lowest) lowest = w;
        }
        list.push(k);
      }
      counts[slot]!++;
      sums[slot]! += e.value;
    }
    const next = maxTs - DELAY - 1; // Flink's BoundedOutOfOrdernessWatermarks: max - delay - 1
    if (next > wm) {
      wm = next;
      fire(wm);
    }
  }
  fire(Infinity);
}

// ---------- (b) the library ----------

export function librarySource(events: readonly WindowEvent[]): Observable<StreamBatch<WindowEvent>> {
  return new Observable((subscriber) => {
    let maxTs = -Infinity;
    let wm = -Infinity;
    const n = events.length;
    for (let b = 0; b < n && !subscriber.closed; b += BATCH) {
      const end = Math.min(n, b + BATCH);
      const batch: StreamElement<WindowEvent>[] = [];
      for (let i = b; i < end; i++) {
        const e = events[i]!;
        if (e.ts > maxTs) maxTs = e.ts;
        batch.push(record(e, e.ts));
      }
      if (maxTs - DELAY - 1 > wm) {
        wm = maxTs - DELAY - 1;
        batch.push(watermark(wm));
      }
      subscriber.next(batch);
    }
    subscriber.complete();
  });
}

export function libraryPipeline(events: readonly WindowEvent[], sink: Sink): void {
  const windowed = window<WindowEvent, string>(tumblingEventTimeWindows(SIZE)).aggregate(
    combine({ count: count(), sum: sum((e: WindowEvent) => e.value) }),
  );
  let done = false;
  const sub: Subscription = librarySource(events)
    .pipe(
      keyBy((e: WindowEvent) => e.key),
      windowed,
    )
    .subscribe({
      next: (batch: StreamBatch<WindowResult<string, { count: number; sum: number }>, string>) => {
        for (let i = 0; i < batch.length; i++) {
          const el = batch[i]!;
          if (el.kind === 'record') {
            const r = el.value;
            sink(r.key, r.window.start, r.value.count, r.value.sum);
          }
        }
      },
      complete: () => {
        done = true;
      },
    });
  sub.unsubscribe();
  if (!done) throw new Error('library pipeline did not complete synchronously');
}

/** The fixed cost in front of the window: record() per event and keyBy, no window (informative). */
export function sourceAndKeyByOnly(events: readonly WindowEvent[], sink: Sink): void {
  let n = 0;
  const sub = librarySource(events)
    .pipe(keyBy((e: WindowEvent) => e.key))
    .subscribe((batch) => {
      n += batch.length;
    });
  sub.unsubscribe();
  if (n < 0) sink('', 0, 0, 0);
}

// ---------- (c) plain RxJS ----------

export function rxjsPipeline(events: readonly WindowEvent[], sink: Sink): void {
  let maxTs = -Infinity;
  let wm = -Infinity;
  let seen = 0;
  let done = false;
  const sub = from(events)
    .pipe(
      tap((e) => {
        if (e.ts > maxTs) maxTs = e.ts;
        if (++seen % BATCH === 0 && maxTs - DELAY - 1 > wm) wm = maxTs - DELAY - 1;
      }),
      groupBy((e) => e.key),
      mergeMap((group) => {
        const windows = new Map<number, { count: number; sum: number }>();
        const closed = (all: boolean): { key: string; start: number; count: number; sum: number }[] => {
          const out: { key: string; start: number; count: number; sum: number }[] = [];
          for (const [start, acc] of windows) {
            if (all || start + SIZE - 1 <= wm) {
              out.push({ key: group.key, start, count: acc.count, sum: acc.sum });
              windows.delete(start);
            }
          }
          return out;
        };
        return concat(
          group.pipe(
            mergeMap((e) => {
              const r = e.ts % SIZE;
              const start = r < 0 ? e.ts - (r + SIZE) : e.ts - r;
              let acc = windows.get(start);
              if (acc === undefined) {
                acc = { count: 0, sum: 0 };
                windows.set(start, acc);
              }
              acc.count++;
              acc.sum += e.value;
              return closed(false);
            }),
          ),
          defer(() => from(closed(true))),
        );
      }),
    )
    .subscribe({
      next: (r) => sink(r.key, r.start, r.count, r.sum),
      complete: () => {
        done = true;
      },
    });
  sub.unsubscribe();
  if (!done) throw new Error('rxjs pipeline did not complete synchronously');
}

// ---------- checking and measuring ----------

interface Fingerprint {
  results: number;
  counted: number;
  summed: number;
  hash: number;
}

function fingerprint(
  run: (events: readonly WindowEvent[], sink: Sink) => void,
  events: readonly WindowEvent[],
): Fingerprint {
  const f: Fingerprint = { results: 0, counted: 0, summed: 0, hash: 0 };
  const seen = new Set<string>();
  run(events, (key, start, c, s) => {
    const id = `${key}|${start}`;
    if (seen.has(id)) throw new Error(`duplicate result for ${id}`);
    seen.add(id);
    f.results++;
    f.counted += c;
    f.summed += s;
    let h = 0;
    const text = `${id}|${c}|${s}`;
    for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
    f.hash = (f.hash + h) | 0; // order-independent
  });
  return f;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Best wall time over `reps` runs of each variant, interleaved so that a noisy neighbour hurts all alike. */
function timeInterleaved(
  runs: readonly ((events: readonly WindowEvent[], sink: Sink) => void)[],
  events: readonly WindowEvent[],
  reps: number,
): number[] {
  const best = runs.map(() => Infinity);
  let results = 0;
  const sink: Sink = () => {
    results++;
  };
  for (let r = 0; r < reps; r++) {
    runs.forEach((run, i) => {
      gc?.();
      const t0 = performance.now();
      run(events, sink);
      best[i] = Math.min(best[i]!, (performance.now() - t0) / 1000);
    });
  }
  void results;
  return best;
}

/** Peak heap above the baseline (the workload itself excluded), sampled every 1,024 results. */
function peakHeap(run: (events: readonly WindowEvent[], sink: Sink) => void, events: readonly WindowEvent[]): number {
  gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let calls = 0;
  run(events, () => {
    if ((++calls & 1023) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  });
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return (peak - baseline) / 1048576;
}

function measure(
  run: (events: readonly WindowEvent[], sink: Sink) => void,
  events: readonly WindowEvent[],
  reps: number,
): { seconds: number; peakHeapMB: number } {
  const [seconds] = timeInterleaved([run], events, reps);
  return { seconds: seconds!, peakHeapMB: peakHeap(run, events) };
}

export interface WindowBenchRow {
  readonly variant: string;
  readonly eventsPerSecond: number;
  readonly ratioToHandLoop: number;
  readonly peakHeapMB: number;
  readonly peakHeapRatio: number;
}

export interface WindowBenchWorkload {
  readonly name: string;
  readonly events: number;
  readonly keys: number;
  readonly results: number;
  readonly rows: readonly WindowBenchRow[];
}

/** What `runWindowBench` reports. */
export interface Report {
  readonly name: string;
  readonly workloads: readonly WindowBenchWorkload[];
}

export async function runWindowBench(
  options: { events?: number; reps?: number; dense?: boolean; sparse?: boolean; log?: (line: string) => void } = {},
): Promise<Report> {
  const log = options.log ?? ((line: string) => console.log(line));
  const reps = options.reps ?? 5;
  const workloads: WindowBenchWorkload[] = [];
  const variants = (
    [
      ['sparse (10,000 keys)', 10_000],
      ['dense (100 keys)', 100],
    ] as const
  ).filter(([, keys]) => (keys === 100 ? options.dense !== false : options.sparse !== false));
  for (const [name, keys] of variants) {
    const events = generateWindowWorkload({ events: options.events, keys });
    const reference = fingerprint(handLoop, events);
    for (const [variant, run] of [
      ['library', libraryPipeline],
      ['rxjs groupBy+mergeMap', rxjsPipeline],
    ] as const) {
      const f = fingerprint(run, events);
      if (JSON.stringify(f) !== JSON.stringify(reference)) {
        throw new Error(
          `${variant} results differ from the hand loop on ${name}: ${JSON.stringify(f)} vs ${JSON.stringify(reference)}`,
        );
      }
    }
    const [handSeconds, libSeconds, floorSeconds] = timeInterleaved(
      [handLoop, libraryPipeline, sourceAndKeyByOnly],
      events,
      reps,
    );
    const hand = { seconds: handSeconds!, peakHeapMB: peakHeap(handLoop, events) };
    const lib = { seconds: libSeconds!, peakHeapMB: peakHeap(libraryPipeline, events) };
    const rx = measure(rxjsPipeline, events, 1);
    const row = (variant: string, m: { seconds: number; peakHeapMB: number }): WindowBenchRow => ({
      variant,
      eventsPerSecond: events.length / m.seconds,
      ratioToHandLoop: hand.seconds / m.seconds,
      peakHeapMB: m.peakHeapMB,
      peakHeapRatio: m.peakHeapMB / Math.max(hand.peakHeapMB, 1e-9),
    });
    const rows = [
      row('hand-written loop', hand),
      row('library', lib),
      row('rxjs groupBy+mergeMap', rx),
      row('(record() + keyBy only)', { seconds: floorSeconds!, peakHeapMB: NaN }),
    ];
    workloads.push({ name, events: events.length, keys, results: reference.results, rows });
    log(
      `window bench, ${name}: ${events.length.toLocaleString('en-US')} events, ${reference.results.toLocaleString('en-US')} window results (checked equal)`,
    );
    for (const r of rows) {
      log(
        `  ${r.variant.padEnd(24)} ${(r.eventsPerSecond / 1e6).toFixed(2).padStart(7)} M events/s  x${r.ratioToHandLoop.toFixed(2)} of hand loop  peak heap +${r.peakHeapMB.toFixed(1)} MB (x${r.peakHeapRatio.toFixed(2)})`,
      );
    }
  }
  return { name: 'windows: tumbling 1 s, count + sum, bounded out-of-orderness 500 ms', workloads };
}

/**
 * Runs each workload in a process of its own (hand loop, library and RxJS measured together in it):
 * measured in one process, the dense workload ran 25-50% slower after the sparse one had filled the
 * heap (its RxJS run peaks near 180 MB), for the library and the old code alike, so the figures of the
 * second workload depended on what ran before it rather than on the code measured.
 */
export async function runWindowBenchIsolated(): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  for (const only of ['sparse', 'dense']) {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', import.meta.filename, `--only=${only}`],
      { stdio: 'inherit' },
    );
    if (child.status !== 0) throw new Error(`window bench (${only}) failed with status ${String(child.status)}`);
  }
}

const isMain = typeof process !== 'undefined' && /window-bench\.ts$/.test(process.argv[1] ?? '');
if (isMain) {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (only === undefined) {
    console.log(
      '(each workload runs in a process of its own; the last row is the fixed cost in front of the window: it bounds the library ratio from above)',
    );
    runWindowBenchIsolated().catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  } else {
    if (gc === undefined) console.log('(run with node --expose-gc for comparable heap figures)');
    runWindowBench({ sparse: only === 'sparse', dense: only === 'dense' }).catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  }
}
