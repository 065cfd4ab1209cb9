/**
 * The general window path's speed (issue 16): sliding 2 s windows every 1 s and event-time sessions
 * with a 200 ms gap, count + sum per key, on the window bench's workload and source (10,000 keys,
 * 500 ms of disorder, a watermark per batch of 1,000), against the window bench's tumbling 1 s
 * pipeline (the pane path) in the same run: the figures to compare across changes are the ratios,
 * the machine being shared. Every variant's results are counted and checked equal between
 * runs before timing.
 *
 *   npm run bench -- window-general
 *   node --expose-gc --import tsx bench/general-path-bench.ts [--quick]
 */
import type { Subscription } from 'rxjs';
import { keyBy } from '../src/keyed/keyBy.js';
import { combine, count, sum } from '../src/window/aggregates.js';
import { eventTimeSessionWindows, slidingEventTimeWindows, tumblingEventTimeWindows } from '../src/window/assigners.js';
import type { WindowAssigner } from '../src/window/assigner-types.js';
import { window } from '../src/window/window.js';
import { librarySource } from './window-bench.js';
import { generateWindowWorkload, type WindowEvent } from './window-workload.js';

/** Runs the pipeline with `assigner` over `events`; returns a checksum of its results (count, sum of sums). */
function run(assigner: WindowAssigner<WindowEvent>, events: readonly WindowEvent[]): number {
  let results = 0;
  let total = 0;
  const sub: Subscription = librarySource(events)
    .pipe(
      keyBy((e: WindowEvent) => e.key),
      window<WindowEvent, string>(assigner).aggregate(
        combine({ count: count(), sum: sum((e: WindowEvent) => e.value) }),
      ),
    )
    .subscribe((batch) => {
      for (const el of batch)
        if (el.kind === 'record') {
          results++;
          total += el.value.value.sum;
        }
    });
  sub.unsubscribe();
  return results * 1e9 + total;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Runs the general-path bench and prints each case's time and its ratio to the tumbling pipeline. */
export async function runGeneralWindowBench(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const events = generateWindowWorkload({ events: quick ? 200_000 : 1_000_000 });
  const cases: [string, () => WindowAssigner<WindowEvent>][] = [
    ['tumbling 1 s (pane path, the baseline)', () => tumblingEventTimeWindows(1000)],
    ['sliding 2 s every 1 s (general path)', () => slidingEventTimeWindows(2000, 1000)],
    ['sessions, gap 200 ms (general path)', () => eventTimeSessionWindows(200)],
  ];
  const checks = cases.map(([, assigner]) => run(assigner(), events));
  const best = cases.map(() => Infinity);
  for (let rep = 0; rep < 5; rep++) {
    cases.forEach(([, assigner], i) => {
      gc?.();
      const t0 = performance.now();
      const check = run(assigner(), events);
      best[i] = Math.min(best[i]!, performance.now() - t0);
      if (check !== checks[i]) throw new Error(`bench: ${cases[i]![0]} gave other results`);
    });
  }
  console.log(`general window path, ${events.length.toLocaleString('en')} events over 10,000 keys (best of 5):`);
  cases.forEach(([name], i) => {
    const ratio = best[i]! / best[0]!;
    console.log(`  ${name}: ${best[i]!.toFixed(0)} ms, ${ratio.toFixed(2)}x the tumbling pipeline`);
  });
}

if (/general-path-bench\.ts$/.test(process.argv[1] ?? '')) await runGeneralWindowBench();
