/** Shared bench helpers: run alternating repetitions, report medians and ratios to a baseline. */
import { ProgressLine } from '../demo/progress.js';

export interface Measured {
  name: string;
  eventsPerSecond: number;
  ratio: number;
}

/** Median of the numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs each case `reps` times, interleaved (a, b, c, a, b, c, ...) so that machine noise hits every
 * case alike, after one warm-up round. Returns events/s medians and each one's ratio to the first case
 * (the baseline), measured in the same run.
 */
export function compare(events: number, cases: readonly { name: string; run: () => void }[], reps = 5): Measured[] {
  // Progress on one updating line in a terminal; a line per round in a log.
  const progress = new ProgressLine();
  progress.update(`  warm-up (${cases.length} cases)`);
  for (const c of cases) c.run(); // warm-up: JIT, inline caches
  const times = cases.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    progress.update(`  round ${r + 1}/${reps}`);
    cases.forEach((c, i) => {
      const start = performance.now();
      c.run();
      times[i]!.push(performance.now() - start);
    });
  }
  progress.done();
  const rates = times.map((t) => events / (median(t) / 1000));
  return cases.map((c, i) => ({ name: c.name, eventsPerSecond: rates[i]!, ratio: rates[i]! / rates[0]! }));
}

/** Formats a comparison as aligned text lines. */
export function formatRows(title: string, rows: readonly Measured[]): string {
  const lines = [title];
  for (const row of rows) {
    lines.push(
      `  ${row.name.padEnd(44)} ${(row.eventsPerSecond / 1e6).toFixed(2).padStart(7)} M events/s   x${row.ratio.toFixed(2)}`,
    );
  }
  return lines.join('\n');
}
