/**
 * Metrics bench (issue 13: "when nobody subscribes, metrics cost at most 3% throughput on the window
 * bench; with a subscriber, at most 5%"). The window bench's workload (window-workload.ts: 1,000,000
 * events over 10,000 keys, batches of 1,000) through the fused chain
 * `withEventTimeBatches → keyBy → window → toValues`, three ways:
 *  (a) no metrics code linked at all: this file bundled (esbuild) with src/core/metrics/probe.ts
 *      replaced by a stub whose probes count nothing, so no adapter adds a batch length, reads a
 *      watermark or a clock; the baseline;
 *  (b) the metrics model linked (the real probes, `PipelineMetrics` and `withMetrics`), nobody reading;
 *  (c) as (b), and a subscriber reading the snapshot every second of processing time (the source
 *      checks the clock after each batch in every case, and only (c) samples).
 * The three cases run side by side in each of 9 fresh Node processes: each case is its own bundle
 * instance (its own code, so no inline cache is shared between cases), the process warms each up
 * twice, then times 7 rounds of a, b and c, in rotating order, in CPU time (user + system: a shared
 * machine's waits for a core are not counted). From one process to the next the same case varies by
 * ±15% here (JIT and heap layout), far more than the cost measured, so each ratio is taken within a
 * process, (a)'s median time over (b)'s and (c)'s, and the bench reports the median of those ratios
 * over the processes: throughput relative to no metrics.
 * Every case's results are checked against (a)'s fingerprint.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { Observable } from 'rxjs';
import {
  boundedOutOfOrderness,
  combine,
  count,
  keyBy,
  PipelineMetrics,
  sum,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
  withMetrics,
} from '../src/index.js';
import { median } from './lib.js';
import { generateWindowWorkload, type WindowEvent } from './window-workload.js';

type Case = 'a' | 'b' | 'c';
const BATCH = 1000;
const EVENTS = 1_000_000;
/** Fresh processes, and timed rounds of the three cases within each. */
const PROCESSES = 9;
const ROUNDS = 7;

/** Runs the pipeline synchronously; returns a fingerprint of its results. `check`: also that the metrics counted every event. */
export function run(events: readonly WindowEvent[], kind: Case, check = false): number {
  const metrics = kind === 'a' ? undefined : new PipelineMetrics({ job: 'bench' });
  let lastRead = performance.now();
  const source = new Observable<readonly WindowEvent[]>((subscriber) => {
    for (let b = 0; b < events.length && !subscriber.closed; b += BATCH) {
      subscriber.next(events.slice(b, b + BATCH));
      // A subscriber sampling once a second (updates(1000) would, on a pipeline that yields).
      const now = performance.now();
      if (now - lastRead >= 1000) {
        lastRead = now;
        if (kind === 'c') metrics!.snapshot();
      }
    }
    subscriber.complete();
  });
  let fingerprint = 0;
  let done = false;
  (metrics === undefined ? source : source.pipe(withMetrics<readonly WindowEvent[]>(metrics)))
    .pipe(
      withEventTimeBatches({
        timestamp: (e: WindowEvent) => e.ts,
        watermarks: boundedOutOfOrderness(500).onEveryBatch(),
      }),
      keyBy((e: WindowEvent) => e.key),
      window(tumblingEventTimeWindows(1000)).aggregate(
        combine({ count: count(), sum: sum((e: WindowEvent) => e.value) }),
      ),
      toValues(),
    )
    .subscribe({
      next: (r) => {
        fingerprint = (fingerprint * 31 + r.value.count * 7 + r.value.sum) % 1_000_000_007;
      },
      complete: () => {
        done = true;
      },
    })
    .unsubscribe();
  if (!done) throw new Error('metrics bench: the pipeline did not complete synchronously');
  if (check && metrics !== undefined) {
    const chain = metrics.snapshot().operators.find((o) => o.kind === 'chain');
    if (chain?.numRecordsIn !== events.length)
      throw new Error(`metrics bench: counted ${String(chain?.numRecordsIn)} records, not ${events.length}`);
  }
  return fingerprint;
}

/**
 * The process's CPU time (user + system), in ms: on a machine shared with other work, wall time also
 * counts the time this process waited for a core; CPU time counts only its own work.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

type Run = typeof run;

/**
 * One process: loads the stub bundle for (a) and a second instance of this bundle for (c), warms
 * each case up, times ROUNDS rounds of the three in rotating order; prints each case's median as JSON.
 */
async function child(stubBundle: string): Promise<void> {
  const runs: Record<Case, Run> = {
    a: ((await import(pathToFileURL(stubBundle).href)) as { run: Run }).run,
    b: run,
    c: ((await import(`${import.meta.url}?c`)) as { run: Run }).run,
  };
  const events = generateWindowWorkload({ events: EVENTS });
  const cases = ['a', 'b', 'c'] as const;
  const fingerprint = runs.a(events, 'a');
  for (const kind of cases) {
    if (runs[kind](events, kind, true) !== fingerprint) throw new Error(`metrics bench: (${kind}) gave other results`);
    runs[kind](events, kind);
  }
  const times: Record<Case, number[]> = { a: [], b: [], c: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < cases.length; i++) {
      const kind = cases[(round + i) % cases.length]!;
      const start = cpuMs();
      if (runs[kind](events, kind) !== fingerprint) throw new Error('metrics bench: results differ between runs');
      times[kind].push(cpuMs() - start);
    }
  }
  console.log(JSON.stringify({ a: median(times.a), b: median(times.b), c: median(times.c) }));
}

/** The probes of (a): the same exports, counting nothing (the adapters' calls stay, as empty methods). */
const STUB_PROBE = `
export class OperatorProbe {
  constructor(name, kind, uid, operator) {
    this.name = name; this.kind = kind; this.uid = uid; this.operator = operator;
    this.recordsIn = 0; this.recordsOut = 0; this.busyMs = 0; this.backPressuredMs = 0;
    this.inputWatermark = -Infinity; this.outputWatermark = -Infinity; this.clock = null; this.refresh = null;
  }
  begin() { return 0; }
  end() {}
  emitted() {}
  endValues() {}
}
export const attachProbe = (_operator, probe) => probe;
export const probeOf = () => undefined;
export const probeFor = (operator, kind = 'operator') => new OperatorProbe('', kind, null, operator);
`;

const withoutMetrics: Plugin = {
  name: 'no-metrics',
  setup(b) {
    b.onLoad({ filter: /core[\\/]metrics[\\/]probe\.ts$/ }, () => ({ contents: STUB_PROBE, loader: 'js' }));
  },
};

/** Bundles this file, for (a) without the probes; returns the bundle's path. */
async function bundle(stub: boolean): Promise<string> {
  const here = fileURLToPath(import.meta.url);
  const outfile = join(dirname(here), '..', '.tmp', `metrics-bench-${stub ? 'a' : 'bc'}.mjs`);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [here],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    plugins: stub ? [withoutMetrics] : [],
    external: ['esbuild'],
    logLevel: 'error',
  });
  return outfile;
}

export async function runMetricsBench(): Promise<void> {
  const stub = await bundle(true);
  const linked = await bundle(false);
  const perProcess: Record<Case, number>[] = [];
  for (let p = 0; p < PROCESSES; p++) {
    const out = execFileSync(process.execPath, ['--expose-gc', linked, '--metrics-child', stub], { encoding: 'utf8' });
    perProcess.push(JSON.parse(out.trim().split('\n').at(-1)!) as Record<Case, number>);
    process.stdout.write(`  process ${p + 1}/${PROCESSES}\r`);
  }
  /** Throughput of `kind` relative to (a): the median over processes of the ratio within each. */
  const ratio = (kind: Case) => median(perProcess.map((m) => m.a / m[kind]));
  const rate = (kind: Case) => EVENTS / (median(perProcess.map((m) => m[kind])) / 1000);
  const line = (kind: Case, name: string, budget: string) =>
    `  ${name.padEnd(58)} ${(rate(kind) / 1e6).toFixed(2)} M events/s  x${ratio(kind).toFixed(3)}  ${budget}`;
  const ms = (kind: Case) => perProcess.map((m) => Math.round(m[kind])).join(' ');
  console.log(
    [
      `metrics cost, ${EVENTS.toLocaleString('en')} events, fused window chain, ${PROCESSES} processes × ${ROUNDS} rounds; ratio: median over processes of the ratio within each`,
      line('a', '(a) no metrics code linked (stub probes)', ''),
      line('b', '(b) metrics linked (withMetrics), nobody reading', 'budget ≥ x0.97'),
      line('c', '(c) linked, a snapshot every second of processing time', 'budget ≥ x0.95'),
      `  per-process medians (ms): a ${ms('a')} | b ${ms('b')} | c ${ms('c')}`,
    ].join('\n'),
  );
}

const childArg = process.argv.indexOf('--metrics-child');
// Only the process's own bundle runs the child: the instances it imports see the same argv.
if (childArg >= 0 && !import.meta.url.includes('?') && process.argv[1] === fileURLToPath(import.meta.url))
  await child(process.argv[childArg + 1]!);
else if (/metrics-bench\.ts$/.test(process.argv[1] ?? '')) await runMetricsBench();
