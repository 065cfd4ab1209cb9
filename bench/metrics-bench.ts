/**
 * Metrics bench (issue 13): what the metrics model costs on the window bench's workload, through the
 * fused chain `withEventTimeBatches → keyBy → window → toValues` (batches of 1,000 values):
 *  (a) no metrics linked: the adapters only add batch lengths to their probes' fields (baseline);
 *  (b) linked with withMetrics, nobody reading: also a clock read per batch, for the busy time;
 *  (c) linked, and read: a snapshot every 100 batches (100,000 events), far more often than a
 *      subscriber sampling once a second would.
 * Budgets: (b) ≥ 0.97 and (c) ≥ 0.95 of (a). Every case's results are checked against (a).
 * Run on its own with `node --expose-gc --import tsx bench/metrics-bench.ts`.
 */
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
import { compare, formatRows } from './lib.js';
import { generateWindowWorkload, type WindowEvent } from './window-workload.js';

const BATCH = 1000;
const SNAPSHOT_EVERY = 100;

function batches(events: readonly WindowEvent[], onBatch?: (i: number) => void): Observable<readonly WindowEvent[]> {
  return new Observable((subscriber) => {
    for (let b = 0, i = 0; b < events.length && !subscriber.closed; b += BATCH, i++) {
      subscriber.next(events.slice(b, b + BATCH));
      onBatch?.(i);
    }
    subscriber.complete();
  });
}

/** Runs the pipeline synchronously; returns a fingerprint of its results. */
function run(events: readonly WindowEvent[], metrics: PipelineMetrics | undefined, read: boolean): number {
  let fingerprint = 0;
  const source = batches(
    events,
    read && metrics !== undefined
      ? (i) => {
          if (i % SNAPSHOT_EVERY === 0) metrics.snapshot();
        }
      : undefined,
  );
  const linked = metrics === undefined ? source : source.pipe(withMetrics<readonly WindowEvent[]>(metrics));
  let done = false;
  linked
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
  return fingerprint;
}

export function runMetricsBench(): void {
  const events = generateWindowWorkload({ events: 1_000_000 });
  const expected = run(events, undefined, false);
  const linked = new PipelineMetrics({ job: 'bench' });
  if (run(events, linked, false) !== expected || run(events, new PipelineMetrics(), true) !== expected) {
    throw new Error('metrics bench: results differ with metrics');
  }
  const chain = linked.snapshot().operators.find((o) => o.kind === 'chain');
  if (chain?.numRecordsIn !== events.length)
    throw new Error(`metrics bench: counted ${String(chain?.numRecordsIn)} records, not ${events.length}`);
  const rows = compare(
    events.length,
    [
      { name: '(a) no metrics linked', run: () => run(events, undefined, false) },
      { name: '(b) withMetrics, nobody reading', run: () => run(events, new PipelineMetrics(), false) },
      {
        name: `(c) withMetrics, a snapshot every ${SNAPSHOT_EVERY} batches`,
        run: () => run(events, new PipelineMetrics(), true),
      },
    ],
    7,
  );
  console.log(
    formatRows(
      `metrics cost, ${events.length.toLocaleString('en')} events, fused window chain (budget: b ≥ x0.97, c ≥ x0.95)`,
      rows,
    ),
  );
}

const isMain = typeof process !== 'undefined' && /metrics-bench\.ts$/.test(process.argv[1] ?? '');
if (isMain) runMetricsBench();
