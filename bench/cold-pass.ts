/**
 * What a cold pass of bench/pipeline-bench.ts pays that a warm one does not (issue 10; Linux): runs
 * passes of one variant in this fresh process, as the bench's child does, and prints per pass the
 * CPU time (user, system), wall time, minor page faults, and the CPU time per thread (`main`, V8's
 * background threads as `node`: compilation and GC helpers; `.sys`: system time in 10 ms ticks).
 * Options: `--passes=N`, `--marks` (a line before and after each pass, to cut V8's traces:
 * `--trace-opt --trace-deopt`, `--trace-gc`), `--curve=N` (the main thread's CPU time every N input
 * arrays, batches only), `--prerun=N` (a pipeline over N events first: its setup's cost),
 * `--pretouch=MB` (that much garbage first, so that no pass pays first-touch page faults: the A/B
 * of code changes without the machine's page-fault noise), `--alloc` (the last pass's allocation
 * sites, garbage included).
 *   node --expose-gc --import tsx bench/cold-pass.ts --child=dense,batches [--passes=3] [--marks]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Observable } from 'rxjs';
import { batchesFrom, runner } from './pipeline-bench.js';
import { BATCH } from './pipeline-common.js';
import { generateWindowWorkload, type WindowEvent } from './window-workload.js';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const [workload, variant] = (arg('child') ?? 'dense,batches').split(',') as [
  'sparse' | 'dense',
  'hand' | 'batches' | 'single' | 'rxjs',
];
const passes = Number(arg('passes') ?? 3);
const marks = process.argv.includes('--marks');
const events = Number(arg('events') ?? 2_000_000);

/** CPU ns per thread (Linux: /proc/self/task/<tid>/schedstat), keyed by the thread's name; the main thread as 'main'. */
function threadCpu(): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const name = Number(tid) === process.pid ? 'main' : readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      byName.set(name, (byName.get(name) ?? 0) + ns);
      // System time (clock ticks of 10 ms, field 15 of stat) apart, in ns.
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const sys = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[12]) * 1e7;
      byName.set(`${name}.sys`, (byName.get(`${name}.sys`) ?? 0) + sys);
    } catch {
      // (a thread that ended meanwhile)
    }
  }
  return byName;
}

const data = generateWindowWorkload({ events, keys: workload === 'sparse' ? 10_000 : 100 });
// `--curve=N`: the batches pipeline (as the bench's), with the main thread's CPU time read every N
// input arrays, printed per pass: how the cold pass's extra time spreads over the stream.
const curveEvery = Number(arg('curve') ?? 0);
let curve: number[] = [];
function mainCpu(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}
function curved(input: readonly (readonly WindowEvent[])[]): void {
  const source = new Observable<readonly WindowEvent[]>((subscriber) => {
    let last = mainCpu();
    for (let i = 0; i < input.length; i++) {
      if (i % curveEvery === 0 && i > 0) {
        const now = mainCpu();
        curve.push(+(now - last).toFixed(1));
        if (marks) console.log(`==== chunk ${i / curveEvery}: ${(now - last).toFixed(1)} ms`);
        last = now;
      }
      subscriber.next(input[i]!);
    }
    subscriber.complete();
    curve.push(+(mainCpu() - last).toFixed(1));
  });
  batchesFrom(source);
}
// (The arrays only with --curve: otherwise what runs before pass 1 is what the bench's child runs.)
const arrays: WindowEvent[][] = [];
if (curveEvery > 0) for (let i = 0; i < data.length; i += BATCH) arrays.push(data.slice(i, i + BATCH));
const run = curveEvery > 0 ? () => curved(arrays) : runner(variant, data);
const gc = (globalThis as { gc?: () => void }).gc;
// `--prerun=N`: a pipeline over the first N events before pass 1, its CPU time printed: what a
// pipeline's setup and first values cost (lazy compilation of the code they run) apart from the pass.
const prerun = Number(arg('prerun') ?? 0);
const { Session } = await import('node:inspector');
const session = new Session();
session.connect();
const post = (method: string, params?: object): Promise<unknown> =>
  new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
  );
// `--pretouch=MB`: that much short-lived garbage allocated before pass 1, so that pass 1 does not touch
// the young generation's pages first (measured: 300 to 9,000 page faults in pass 1 from one process to
// the next, with the same code: up to 100 ms of system time on this machine).
const pretouch = Number(arg('pretouch') ?? 0);
if (pretouch > 0) {
  let keep: unknown = null;
  for (let i = 0; i < (pretouch * 1048576) / 16; i++) keep = { i };
  if (keep === 0) console.log(keep);
}
if (prerun > 0) {
  const first = runner(variant, data.slice(0, prerun));
  gc?.();
  const c0 = process.cpuUsage();
  first();
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ prerun, cpu: +((c.user + c.system) / 1000).toFixed(1) }));
}
// `--alloc`: the last pass under V8's sampling heap profiler, garbage included: the top allocation
// sites by bytes (what the pass allocates, not what it keeps).
const alloc = process.argv.includes('--alloc');
for (let p = 1; p <= passes; p++) {
  if (alloc && p === passes)
    await post('HeapProfiler.startSampling', {
      samplingInterval: 256,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  gc?.(); // as the bench's pass does (heapUsed), with nothing in between: the same state of the heap
  curve = [];
  if (marks) console.log(`==== pass ${p} start`);
  const heap0 = process.memoryUsage().heapUsed;
  const threads0 = threadCpu();
  const r0 = process.resourceUsage();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  run();
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  const r1 = process.resourceUsage();
  // Bytes allocated in the pass, where no collection ran in it (run with a large young generation:
  // --min-semi-space-size=1024 --max-semi-space-size=1024).
  const grewMB = (process.memoryUsage().heapUsed - heap0) / 1048576;
  const threads: Record<string, number> = {};
  for (const [name, ns] of threadCpu()) {
    const ms = (ns - (threads0.get(name) ?? 0)) / 1e6;
    if (ms >= 0.5) threads[name] = +ms.toFixed(1);
  }
  if (marks) console.log(`==== pass ${p} end`);
  console.log(
    JSON.stringify({
      pass: p,
      cpu: +((c.user + c.system) / 1000).toFixed(1),
      user: +(c.user / 1000).toFixed(1),
      sys: +(c.system / 1000).toFixed(1),
      wall: +wall.toFixed(1),
      faults: r1.minorPageFault - r0.minorPageFault,
      grewMB: +grewMB.toFixed(1),
      threads,
      ...(curveEvery > 0 ? { curve } : {}),
    }),
  );
}
if (alloc) {
  interface Node {
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    selfSize: number;
    children: Node[];
  }
  const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
  const sites = new Map<string, number>();
  const walk = (node: Node): void => {
    const f = node.callFrame;
    const at = `${f.functionName || '(anonymous)'} ${f.url.replace(/.*\/(src|bench)\//, '$1/')}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    sites.set(at, (sites.get(at) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const total = [...sites.values()].reduce((a, b) => a + b, 0);
  console.log(`allocated in the last pass (sampled): ${(total / 1048576).toFixed(1)} MB`);
  for (const [at, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`  ${(bytes / 1048576).toFixed(2).padStart(7)} MB  ${at}`);
}
session.disconnect();
