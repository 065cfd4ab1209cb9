/**
 * Progress of a long run in a terminal (issue 13): records, rate and watermark on one line that
 * updates in place when the output is a TTY, and plain lines otherwise (a log file, CI), so that
 * neither a person nor a log gets a screenful of carriage returns. Node only; not part of the library.
 */
import type { Subscription } from 'rxjs';
import type { MetricsSnapshot, PipelineMetrics } from '../src/index.js';

/** Where progress goes: `process.stdout` or anything with `write` (and `isTTY` when it is a terminal). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Writes status lines: in place on a TTY, one per call otherwise. */
export class ProgressLine {
  readonly #out: ProgressStream;
  #open = false;

  constructor(out: ProgressStream = process.stdout) {
    this.#out = out;
  }

  /** Shows `text` as the current status. */
  update(text: string): void {
    if (this.#out.isTTY === true) {
      const width = this.#out.columns ?? 120;
      this.#out.write(`\r\x1b[2K${text.length > width - 1 ? text.slice(0, width - 1) : text}`);
      this.#open = true;
    } else {
      this.#out.write(`${text}\n`);
    }
  }

  /** Ends the updating line (a newline on a TTY), so that what is printed next starts on its own line. */
  done(): void {
    if (this.#open) this.#out.write('\n');
    this.#open = false;
  }
}

/** One status line from a snapshot: the records the sources read, their rate, and the lowest watermark. */
export function describeProgress(m: MetricsSnapshot): string {
  const sources = m.operators.filter((o) => o.kind === 'source');
  const records = sources.reduce((n, o) => n + o.numRecordsOut, 0);
  const rate = sources.reduce((n, o) => n + o.numRecordsOutPerSecond, 0);
  const watermarks = m.operators.map((o) => o.currentOutputWatermark).filter((w): w is number => w !== null);
  const watermark = watermarks.length === 0 ? '-' : new Date(Math.min(...watermarks)).toISOString();
  const checkpoints = m.checkpoints.completed > 0 ? `, ${m.checkpoints.completed} checkpoints` : '';
  return `${m.job}: ${records.toLocaleString('en')} records, ${Math.round(rate).toLocaleString('en')}/s, watermark ${watermark}${checkpoints}`;
}

/**
 * Shows the progress of the pipeline `metrics` describes every `intervalMs`, until the returned
 * subscription is unsubscribed (which ends the line).
 */
export function showProgress(
  metrics: PipelineMetrics,
  intervalMs = 500,
  out: ProgressStream = process.stdout,
): Subscription {
  const line = new ProgressLine(out);
  const subscription = metrics.updates(intervalMs).subscribe((m) => line.update(describeProgress(m)));
  subscription.add(() => line.done());
  return subscription;
}
