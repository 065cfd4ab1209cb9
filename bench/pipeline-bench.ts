/**
 * End-to-end pipeline benchmark (issue 10): from plain values to plain results, the way a user runs it.
 * Workload (bench/window-workload.ts): 2,000,000 events { key, ts, value }, ts = base + i - uniform{0..500},
 * 10,000 keys (sparse) or 100 keys (dense); tumbling 1,000 ms event-time windows with count and sum per
 * key; watermark = max ts - 500 (boundedOutOfOrderness(499) with Flink's -1), advanced every time the
 * max rises. Every variant folds each result into the same checksum:
 *  (a) hand (pipeline-baselines.ts): the fastest honest hand loop: keys interned to ints per window, unboxed accumulator arrays;
 *  (b) batches: the README pipeline over arrays of 1,000 events: withEventTimeBatches -> keyBy ->
 *      window(...).aggregate(combine({ count, sum })) -> toValues -> subscriber;
 *  (c) single: the same, one value at a time (withEventTime);
 *  (d) rxjs (pipeline-baselines.ts): plain RxJS, one `scan` over a Map per window start, over the same arrays of 1,000 events.
 * The children run this file bundled and minified by esbuild (RxJS's ES modules inside), with plain
 * Node: the code an app ships, not tsx's CommonJS with a `__name` wrapper per closure.
 * Each (workload, variant) runs in fresh processes: pass 1 is the cold figure, pass 2 measures memory,
 * pass 3 is the warm figure; each figure is the median over the processes. Times are the CPU time of
 * the pass (the machine is shared: wall time swung 3x with other engineers' tests), wall ratios beside. Checksums are checked
 * against the hand loop in a process of their own before any timing, and again in every timed pass.
 * Memory (pass 2, untimed) is the peak live data over the pass's start: at 8 points evenly spaced in
 * the stream of results (the same points for every variant, since all produce the same results) a
 * full collection is forced, so it measures the state each variant keeps (open windows, interned
 * keys, results not yet delivered, the pipeline's own objects), not the garbage that happened to
 * await a collection. Live data is the bytes of the live objects as V8 counts them by type, without
 * V8's code and metadata (bench/live-data.ts: every child runs with V8's object statistics, which
 * touch only full collections, and a timed pass has none). It resolves about 1 KB (a pass's 8
 * samples agree within that); the heap in use, the measure before, is still given ("used KB"), but
 * it steps by a V8 page (about 250 KB) from one sample to the next with the same data, more than the
 * hand loop's whole state.
 *   node --expose-gc --import tsx bench/pipeline-bench.ts [--reps=5] [--events=2000000]
 *   (one fresh process of one variant, with its live data: --measure=sparse,batches)
 */
import { from, type Observable } from 'rxjs';
import {
  boundedOutOfOrderness,
  combine,
  count,
  keyBy,
  sum,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTime,
  withEventTimeBatches,
  type WatermarkStrategy,
} from '../src/index.js';
import { median } from './lib.js';
import { generateWindowWorkload, type WindowEvent } from './window-workload.js';
import { hand, rxjs } from './pipeline-baselines.js';
import { forcedCollections, isV8Line, LIVE_DATA_FLAGS } from './live-data.js';
import {
  BATCH,
  checksum,
  endSampling,
  fold,
  forcedCollectionCount,
  heapUsed,
  OUT_OF_ORDERNESS,
  resetPass,
  resultCount,
  SIZE,
} from './pipeline-common.js';

const VARIANTS = ['hand', 'batches', 'single', 'rxjs'] as const;
type Variant = (typeof VARIANTS)[number];
const WORKLOADS = { sparse: 10_000, dense: 100 } as const;
type Workload = keyof typeof WORKLOADS;

// ---------- (b), (c) the README pipeline ----------

/** The bounded strategy, emitting whenever the max timestamp rises. */
function everyEvent(): WatermarkStrategy<WindowEvent> {
  return boundedOutOfOrderness<WindowEvent>(OUT_OF_ORDERNESS).onEveryEvent();
}

function windowed() {
  return window<WindowEvent, string>(tumblingEventTimeWindows(SIZE)).aggregate(
    combine({ count: count(), sum: sum((e: WindowEvent) => e.value) }),
  );
}

function batches(input: readonly (readonly WindowEvent[])[]): void {
  batchesFrom(from(input));
}

/** (b) over any source of arrays (bench/cold-pass.ts times its input as it goes). */
export function batchesFrom(source: Observable<readonly WindowEvent[]>): void {
  source
    .pipe(
      withEventTimeBatches({ timestamp: (e: WindowEvent) => e.ts, watermarks: everyEvent() }),
      keyBy((e: WindowEvent) => e.key),
      windowed(),
      toValues(),
    )
    .subscribe((r) => fold(r.key, r.window.start, r.value.count, r.value.sum));
}

function single(events: readonly WindowEvent[]): void {
  from(events)
    .pipe(
      withEventTime({ timestamp: (e: WindowEvent) => e.ts, watermarks: everyEvent() }),
      keyBy((e: WindowEvent) => e.key),
      windowed(),
      toValues(),
    )
    .subscribe((r) => fold(r.key, r.window.start, r.value.count, r.value.sum));
}

// ---------- running ----------

export function runner(variant: Variant, events: readonly WindowEvent[]): () => void {
  const arrays: WindowEvent[][] = [];
  for (let i = 0; i < events.length; i += BATCH) arrays.push(events.slice(i, i + BATCH));
  switch (variant) {
    case 'hand':
      return () => hand(events);
    case 'batches':
      return () => batches(arrays);
    case 'single':
      return () => single(events);
    case 'rxjs':
      return () => rxjs(arrays);
  }
}

/** Runs one pass; with `samples` > 0 (and the pass's result count), samples the live heap that many times. */
function pass(
  run: () => void,
  samples = 0,
  total = 0,
): { ms: number; cpuMs: number; checksum: string; results: number; peakMB: number } {
  const baseline = heapUsed();
  resetPass(baseline, samples, total);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  run();
  const ms = performance.now() - t0;
  const c1 = process.cpuUsage(c0);
  const cpuMs = (c1.user + c1.system) / 1000;
  const peak = endSampling();
  return { ms, cpuMs, checksum: checksum(), results: resultCount(), peakMB: (peak - baseline) / 1048576 };
}

interface ChildReport {
  cold: number;
  warm: number;
  coldWall: number;
  warmWall: number;
  peakMB: number;
  /** The index, among the process's forced collections, of the memory pass's baseline; its samples follow. */
  dataFrom: number;
  /** Filled in by the parent from V8's statistics (bench/live-data.ts): peak live data over the pass's start. */
  dataKB?: number;
  checksums: string[];
}

/** Live-heap samples in the memory pass: each a full collection of a heap that holds the 2M input events (0.3-0.7 s). */
const HEAP_SAMPLES = 8;

/** In a fresh process: pass 1 cold, pass 2 heap, pass 3 warm. */
function child(workload: Workload, variant: Variant, events: number): ChildReport {
  const run = runner(variant, generateWindowWorkload({ events, keys: WORKLOADS[workload] }));
  const p1 = pass(run);
  const dataFrom = forcedCollectionCount(); // pass() starts with a forced collection: the baseline
  const p2 = pass(run, HEAP_SAMPLES, p1.results);
  const p3 = pass(run);
  return {
    cold: p1.cpuMs,
    warm: p3.cpuMs,
    coldWall: p1.ms,
    warmWall: p3.ms,
    peakMB: p2.peakMB,
    dataFrom,
    checksums: [p1.checksum, p2.checksum, p3.checksum],
  };
}

/** In a process of its own: every variant's checksum against the hand loop's. */
function check(workload: Workload, events: number): string {
  const data = generateWindowWorkload({ events, keys: WORKLOADS[workload] });
  const reference = pass(runner('hand', data)).checksum;
  for (const variant of VARIANTS) {
    const got = pass(runner(variant, data)).checksum;
    if (got !== reference)
      throw new Error(
        `pipeline bench, ${workload}: ${variant} checksum ${got} differs from the hand loop's ${reference}`,
      );
  }
  return reference;
}

let bundled: Promise<string> | undefined;

/**
 * This file as an app ships it: bundled by esbuild and minified, with RxJS's ES modules in the
 * bundle, which the children run with plain Node. Run through tsx instead, every variant ran code
 * an app never runs: tsx converts the modules to CommonJS and wraps each closure in `__name` (its
 * keepNames), which gave every closure of a pipeline a property dictionary, about 9 KB of the
 * library's live data. All four variants run from the same bundle.
 */
function bundle(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'pipeline-bench-app-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, 'pipeline-bench.mjs');
    await build({
      entryPoints: [import.meta.filename],
      bundle: true,
      minify: true,
      format: 'esm',
      // Neutral, so RxJS resolves to its ES2015 modules (as in a browser app), not its CommonJS build.
      platform: 'neutral',
      conditions: ['es2015'],
      mainFields: ['module', 'main'],
      target: 'node20',
      external: ['esbuild', 'node:*'],
      outfile,
      logLevel: 'silent',
    });
    return outfile;
  })();
  return bundled;
}

/** Runs a child; returns its report (its last line that is not V8's) and its whole stdout. */
async function spawnJson<T>(args: string[], flags: readonly string[] = []): Promise<{ report: T; stdout: string }> {
  const { spawnSync } = await import('node:child_process');
  const script = await bundle();
  const { closeSync, mkdtempSync, openSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  // Its stdout goes to a file: V8 prints its statistics with C's stdio, which loses bytes on the
  // non-blocking pipe Node makes of a piped stdout.
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-bench-'));
  const file = join(dir, 'stdout');
  const fd = openSync(file, 'w');
  let stdout: string;
  try {
    const child = spawnSync(process.execPath, ['--expose-gc', ...flags, script, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', fd, 'pipe'],
    });
    if (child.status !== 0)
      throw new Error(`pipeline bench child ${args.join(' ')} failed (${String(child.status)}):\n${child.stderr}`);
    stdout = readFileSync(file, 'utf8');
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true });
  }
  const line = stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '' && !isV8Line(l))
    .pop()!;
  return { report: JSON.parse(line) as T, stdout };
}

/** A memory pass's peak live data over its baseline, in KB, from the child's V8 statistics. */
function liveDataKB(report: ChildReport, stdout: string): number {
  const forced = forcedCollections(stdout);
  const samples = forced.slice(report.dataFrom + 1, report.dataFrom + 1 + HEAP_SAMPLES);
  if (samples.length !== HEAP_SAMPLES) throw new Error(`pipeline bench: ${forced.length} forced collections found`);
  return (Math.max(...samples) - forced[report.dataFrom]!) / 1024;
}

const LABELS: Record<Variant, string> = {
  hand: '(a) hand loop',
  batches: '(b) README pipeline, batches of 1,000',
  single: '(c) README pipeline, one value at a time',
  rxjs: '(d) RxJS scan + Map',
};

/** Runs the whole bench: checks, then `reps` fresh processes per workload and variant, interleaved. */
export async function runPipelineBench(
  options: { reps?: number; events?: number; log?: (line: string) => void } = {},
): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const reps = options.reps ?? 5;
  const events = options.events ?? 2_000_000;
  const { loadavg } = await import('node:os');
  log(
    `pipeline bench: ${events.toLocaleString('en-US')} events, ${reps} fresh processes per figure, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const reference = {} as Record<Workload, string>;
  for (const workload of Object.keys(WORKLOADS) as Workload[]) {
    reference[workload] = (await spawnJson<string>([`--check=${workload}`, `--events=${events}`])).report;
    log(`  ${workload}: checksums of all variants equal the hand loop's (${reference[workload]})`);
  }
  const reports = new Map<string, ChildReport[]>();
  for (let r = 0; r < reps; r++) {
    for (const workload of Object.keys(WORKLOADS) as Workload[]) {
      for (const variant of VARIANTS) {
        const { report, stdout } = await spawnJson<ChildReport>(
          [`--child=${workload},${variant}`, `--events=${events}`],
          LIVE_DATA_FLAGS,
        );
        report.dataKB = liveDataKB(report, stdout);
        for (const c of report.checksums)
          if (c !== reference[workload])
            throw new Error(`${workload} ${variant}: checksum ${c} differs from ${reference[workload]}`);
        const id = `${workload},${variant}`;
        reports.set(id, [...(reports.get(id) ?? []), report]);
      }
    }
  }
  for (const workload of Object.keys(WORKLOADS) as Workload[]) {
    const med = (variant: Variant, pick: (r: ChildReport) => number): number =>
      median(reports.get(`${workload},${variant}`)!.map(pick));
    const hand = {
      cold: med('hand', (r) => r.cold),
      warm: med('hand', (r) => r.warm),
      peak: med('hand', (r) => r.peakMB),
      data: med('hand', (r) => r.dataKB!),
      coldWall: med('hand', (r) => r.coldWall),
      warmWall: med('hand', (r) => r.warmWall),
    };
    log(
      `\n${workload} (${WORKLOADS[workload].toLocaleString('en-US')} keys): medians of ${reps} processes. ms = CPU time of the pass (user + system:`,
    );
    log(
      '  on a shared machine it depends less on the load than wall time, which is given as ratios only); ratio = speed relative',
    );
    log(
      "  to the hand loop (higher is faster); live KB = peak live data (bench/live-data.ts: objects' bytes after a forced GC at",
    );
    log(
      "  8 points of the stream, without V8's code and metadata), heap = that over the hand loop's; used KB = heap in use, as before",
    );
    log(
      `  ${'variant'.padEnd(42)} ${'cold ms'.padStart(8)} ${'ratio'.padStart(6)} ${'warm ms'.padStart(8)} ${'ratio'.padStart(6)} ${'wall c/w'.padStart(12)} ${'live KB'.padStart(8)} ${'heap'.padStart(6)} ${'used KB'.padStart(8)} ${'used'.padStart(6)}`,
    );
    for (const variant of VARIANTS) {
      const cold = med(variant, (r) => r.cold);
      const warm = med(variant, (r) => r.warm);
      const wall = `${(hand.coldWall / med(variant, (r) => r.coldWall)).toFixed(2)}/${(hand.warmWall / med(variant, (r) => r.warmWall)).toFixed(2)}`;
      const peak = med(variant, (r) => r.peakMB);
      const data = med(variant, (r) => r.dataKB!);
      log(
        `  ${LABELS[variant].padEnd(42)} ${cold.toFixed(0).padStart(8)} ${(hand.cold / cold).toFixed(2).padStart(5)}x ${warm.toFixed(0).padStart(8)} ${(hand.warm / warm).toFixed(2).padStart(5)}x ${wall.padStart(12)} ${data.toFixed(0).padStart(8)} ${(data / hand.data).toFixed(2).padStart(5)}x ${(peak * 1024).toFixed(0).padStart(8)} ${(peak / hand.peak).toFixed(2).padStart(5)}x`,
      );
    }
  }
}

const isMain = /pipeline-bench\.(ts|mjs)$/.test(process.argv[1] ?? '');
if (isMain) {
  const arg = (name: string): string | undefined =>
    process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const events = Number(arg('events') ?? 2_000_000);
  const childOf = arg('child');
  const checkOf = arg('check');
  const quickOf = arg('quick');
  if (quickOf !== undefined) {
    // A quick look while iterating (not the bench's figures): hand loop and one variant alternated in
    // one process, best of 5 warm passes each.
    const [workload, variant] = quickOf.split(',') as [Workload, Variant];
    const data = generateWindowWorkload({ events, keys: WORKLOADS[workload] });
    const [a, b] = [runner('hand', data), runner(variant, data)];
    let bestA = Infinity,
      bestB = Infinity;
    for (let i = 0; i < 5; i++) {
      bestA = Math.min(bestA, pass(a).cpuMs);
      bestB = Math.min(bestB, pass(b).cpuMs);
    }
    console.log(
      `${workload} ${variant} (CPU time): hand ${bestA.toFixed(0)} ms, ${variant} ${bestB.toFixed(0)} ms, ratio ${(bestA / bestB).toFixed(2)}`,
    );
  } else if (childOf !== undefined) {
    const [workload, variant] = childOf.split(',') as [Workload, Variant];
    console.log(JSON.stringify(child(workload, variant, events)));
  } else if (arg('measure') !== undefined) {
    // One fresh child with the live-data flags, its report with the live data: for A/B runs.
    const { report, stdout } = await spawnJson<ChildReport>(
      [`--child=${arg('measure')!}`, `--events=${events}`],
      LIVE_DATA_FLAGS,
    );
    report.dataKB = liveDataKB(report, stdout);
    console.log(JSON.stringify({ ...report, checksums: undefined }));
  } else if (checkOf !== undefined) {
    console.log(JSON.stringify(check(checkOf as Workload, events)));
  } else {
    await runPipelineBench({ reps: Number(arg('reps') ?? 5), events });
  }
}
