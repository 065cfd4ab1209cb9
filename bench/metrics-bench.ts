/**
 * Metrics bench (issue 13: "when nobody subscribes, metrics cost at most 3% throughput on the window
 * bench; with a subscriber, at most 5%"). The window bench's workload (window-workload.ts: events over
 * 10,000 keys, batches of 1,000) through the fused chain `withEventTimeBatches → keyBy → window →
 * toValues`, three ways, all on the same code:
 *  (a) no `withMetrics`: the probes are never adopted, so no clock is read and nothing samples; the
 *      baseline;
 *  (b) the metrics model linked (`PipelineMetrics`, `withMetrics`), nobody reading;
 *  (c) as (b), and a reader taking a snapshot every second of processing time.
 *
 * Two measurements, because the cost is far below what separate runs can resolve (a case varies by
 * ±15% from one process to the next here, and by ±5% between two bundle instances of the same code in
 * one process: each instance gets its own JIT decisions):
 *  1. Interleaved passes: in each of PROCESSES fresh processes, the three cases run on the same warmed
 *     code in ROUNDS rounds of short passes (PASS_EVENTS events each), in rotating order, after a
 *     forced GC, timed in CPU time (user + system: a shared machine's waits for a core do not count).
 *     Each round gives a ratio (a)/(b) and (a)/(c) of neighbouring passes; the bench reports the median
 *     of all rounds' ratios with its interquartile range and a 95% interval of the median.
 *  2. CPU profile (node:inspector, 100 µs sampling) of passes of one case at a time: the share of the
 *     samples whose nearest frame in src/ is metrics code (src/core/metrics/, src/rx/withMetrics.ts).
 *     In (a) this is what the unadopted probes cost against no metrics code at all (the per-batch
 *     field writes), which measurement 1 cannot see, since (a) runs them too.
 * Every case's results are checked against (a)'s fingerprint, and (b) and (c) that they counted every event.
 */
import { execFileSync } from 'node:child_process';
import { Session } from 'node:inspector';
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
const CASES = ['a', 'b', 'c'] as const;
const BATCH = 1000;
/** One pass: 100 batches, about 10 ms of CPU here, so that a round's three passes see the same machine. */
const PASS_EVENTS = 100_000;
const PROCESSES = 4;
const ROUNDS = 120;
const PROFILE_PASSES = 300;

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

/** The process's CPU time (user + system), in ms: what this process worked, not its waits for a core. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** Warms the three cases up on the same code and checks their results; returns the events and fingerprint. */
function warmUp(): { events: WindowEvent[]; fingerprint: number } {
  const events = generateWindowWorkload({ events: PASS_EVENTS });
  const fingerprint = run(events, 'a');
  for (let i = 0; i < 5; i++) {
    for (const kind of CASES) {
      if (run(events, kind, i === 0) !== fingerprint) throw new Error(`metrics bench: (${kind}) gave other results`);
    }
  }
  return { events, fingerprint };
}

/** Measurement 1 in one process: prints each round's CPU ms of a, b and c as JSON. */
function interleaved(): void {
  const { events, fingerprint } = warmUp();
  const rounds: Record<Case, number>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const times = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < CASES.length; i++) {
      const kind = CASES[(round + i) % CASES.length]!;
      gc();
      const start = cpuMs();
      if (run(events, kind) !== fingerprint) throw new Error('metrics bench: results differ between runs');
      times[kind] = cpuMs() - start;
    }
    rounds.push(times);
  }
  console.log(JSON.stringify(rounds));
}

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
  children?: number[];
}

/** Measurement 2 in one process: profiles passes of `kind`; prints the share of samples in metrics code. */
async function profiled(kind: Case): Promise<void> {
  const { events } = warmUp();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  for (let i = 0; i < PROFILE_PASSES; i++) run(events, kind);
  const { profile } = (await post('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[] } };
  session.disconnect();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /**
   * Whose sample it is: the nearest frame of this project's code (src/, or bench/ for the source and
   * the results' subscriber); rxjs's and native frames count for their caller, so that the
   * Subscriber layer `withMetrics` adds counts as metrics (an upper bound: it also takes the layer
   * between the source and the chain that (a) has too).
   */
  const owner = (id: number | undefined): string => {
    for (; id !== undefined; id = parent.get(id)) {
      const url = byId.get(id)!.callFrame.url;
      const at = Math.max(url.lastIndexOf('/src/'), url.lastIndexOf('/bench/'));
      if (at >= 0 && !url.includes('/node_modules/')) return url.slice(at + 1);
    }
    return '';
  };
  const metricsCode = /^src\/(core\/metrics\/|rx\/withMetrics\.ts)/;
  let inMetrics = 0;
  let total = 0;
  const cache = new Map<number, boolean>();
  for (const id of profile.samples) {
    const name = byId.get(id)!.callFrame.functionName;
    if (name === '(idle)' || name === '(program)') continue;
    total++;
    let hit = cache.get(id);
    if (hit === undefined) {
      hit = metricsCode.test(owner(id));
      cache.set(id, hit);
    }
    if (hit) inMetrics++;
  }
  console.log(JSON.stringify({ share: inMetrics / total, samples: total }));
}

/** The order statistic at fraction `q` of sorted `xs`. */
const at = (xs: readonly number[], q: number) =>
  xs[Math.min(xs.length - 1, Math.max(0, Math.round(q * (xs.length - 1))))]!;

/** Median, interquartile range and a distribution-free 95% interval of the median (order statistics). */
function spread(values: readonly number[]): string {
  const xs = [...values].sort((p, q) => p - q);
  const n = xs.length;
  const half = (1.96 * Math.sqrt(n)) / 2 / (n - 1);
  const f = (x: number) => x.toFixed(3);
  return `x${f(median(xs))}  IQR ${f(at(xs, 0.25))}–${f(at(xs, 0.75))}  95% CI of median ${f(at(xs, 0.5 - half))}–${f(at(xs, 0.5 + half))}`;
}

function child(args: readonly string[]): string {
  // --single-threaded: no concurrent compiler or GC threads, whose work the process's CPU time would
  // count at random moments (it halves the spread of a round's ratio here).
  const flags = ['--expose-gc', '--single-threaded', '--import', 'tsx'];
  return execFileSync(process.execPath, [...flags, import.meta.filename, ...args], {
    encoding: 'utf8',
  });
}

export function runMetricsBench(): void {
  const perProcess: Record<Case, number>[][] = [];
  for (let p = 0; p < PROCESSES; p++) {
    process.stdout.write(`  interleaved passes, process ${p + 1}/${PROCESSES}\r`);
    perProcess.push(JSON.parse(child(['--metrics-child', 'interleave']).trim().split('\n').at(-1)!));
  }
  const ratios = (kind: Case, rounds: readonly Record<Case, number>[]) => rounds.map((r) => r.a / r[kind]);
  const all = perProcess.flat();
  const rate = (kind: Case) => PASS_EVENTS / (median(all.map((r) => r[kind])) / 1000);
  const processMedians = (kind: Case) =>
    perProcess.map((rounds) => `x${median(ratios(kind, rounds)).toFixed(3)}`).join(' ');
  const line = (kind: Case, name: string, budget: string) =>
    `  ${name.padEnd(52)} ${(rate(kind) / 1e6).toFixed(2)} M events/s  ${kind === 'a' ? '' : `${spread(ratios(kind, all))}  ${budget}`}`;
  const shares = CASES.map((kind) => {
    process.stdout.write(`  CPU profile of (${kind})                         \r`);
    const { share, samples } = JSON.parse(
      child(['--metrics-child', `profile-${kind}`])
        .trim()
        .split('\n')
        .at(-1)!,
    ) as {
      share: number;
      samples: number;
    };
    return `(${kind}) ${(share * 100).toFixed(2)}% of ${samples} samples`;
  });
  console.log(
    [
      `metrics cost, fused window chain, ${PROCESSES} processes × ${ROUNDS} rounds of (a), (b), (c) passes of ${PASS_EVENTS.toLocaleString('en')} events on the same code; throughput relative to (a), per round`,
      line('a', '(a) no withMetrics (probes unadopted, no clock)', ''),
      line('b', '(b) metrics linked (withMetrics), nobody reading', 'budget ≥ x0.97'),
      line('c', '(c) linked, a snapshot every second of processing', 'budget ≥ x0.95'),
      `  median per process: (b) ${processMedians('b')} | (c) ${processMedians('c')}`,
      `  CPU profile, share of samples in metrics code (src/core/metrics/, withMetrics): ${shares.join(', ')}`,
    ].join('\n'),
  );
}

const childArg = process.argv.indexOf('--metrics-child');
const mode = childArg >= 0 ? process.argv[childArg + 1] : undefined;
if (mode === 'interleave') interleaved();
else if (mode?.startsWith('profile-')) await profiled(mode.slice(8) as Case);
else if (process.argv[1] === import.meta.filename) runMetricsBench();
