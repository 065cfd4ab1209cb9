// Page side of test/browser/devtools-parallel.test.ts: `totals` at parallelism 2 in Web Workers, with
// the pipeline's metrics and the devtools panel open on them; `skewed`: subtask 0 is slow
// (parallel-devtools-segment.ts). The source sends its hits and stays open,
// so the stage keeps running with its last watermark (a completed input would end event time).
import { concat, NEVER } from 'rxjs';
import {
  boundedOutOfOrderness,
  fromIterable,
  keyBy,
  PipelineMetrics,
  toRecords,
  withEventTimeBatches,
  withMetrics,
} from '../../../src/index.js';
import { webWorkers } from '../../../src/browser/web-workers.js';
import { keyGroupOf } from '../../../src/core/keys.js';
import { subtaskForKeyGroup } from '../../../src/core/key-group-assignment.js';
import { mountDevtools } from '../../../src/devtools/index.js';
import { parallel } from '../../../src/parallel/index.js';
import { skewedTotals } from './parallel-devtools-segment.js';
import { totals, type Hit } from './parallel-segment.js';

/** Below 1,000 per subtask, so that the panel shows the counts in full (1.2k above). */
const HITS = 700;

export const api = {
  /**
   * Starts the pipeline and the panel; resolves once every result came back, with what each subtask
   * must show, computed apart from the metrics: the hits whose key group (Flink's
   * `computeKeyGroupForKeyHash`) the subtask owns, and the last watermark, Flink's
   * `BoundedOutOfOrdernessWatermarks`: the largest timestamp − 0 − 1.
   */
  async start(options: { skewed: boolean }): Promise<{ perSubtask: number[]; watermark: number }> {
    const base = Math.floor(Date.now() / 1000) * 1000 - 10_000; // the watermark ends about 3 s behind now
    const hits: Hit[] = Array.from({ length: HITS }, (_, i) => ({ key: `user-${(i * 7919) % 50}`, at: base + i * 10 }));
    const perSubtask = [0, 0];
    for (const h of hits) perSubtask[subtaskForKeyGroup(128, 2, keyGroupOf(h.key, 128))]! += 1;
    const metrics = new PipelineMetrics({ job: 'totals in workers' });
    const workers = webWorkers({ url: new URL('./worker/app.js', location.href) });
    let results = 0;
    const all = new Promise<void>((resolve, reject) =>
      concat(fromIterable(hits, { batchSize: 100 }), NEVER)
        .pipe(
          withMetrics(metrics, { name: 'hits' }),
          withEventTimeBatches({
            timestamp: (h: Hit) => h.at,
            watermarks: boundedOutOfOrderness<Hit>(0).onEveryBatch(),
          }),
          keyBy((h: Hit) => h.key),
          parallel(options.skewed ? skewedTotals : totals, { workers, parallelism: 2, credits: 2 }),
          toRecords(),
        )
        .subscribe({ next: () => ++results === HITS && resolve(), error: reject }),
    );
    mountDevtools(metrics, { initialIsOpen: true, intervalMs: 200 });
    await all;
    return { perSubtask, watermark: hits.at(-1)!.at - 1 };
  },
};
(window as unknown as { __rx: typeof api }).__rx = api;
