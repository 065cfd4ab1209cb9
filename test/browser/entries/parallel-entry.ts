// Page side of test/browser/parallel-workers.test.ts: runs `totals` at parallelism 2 in Web Workers
// and on the page's own thread, over the same hits.
import { firstValueFrom, toArray, type Observable } from 'rxjs';
import { boundedOutOfOrderness, fromIterable, keyBy, toRecords, withEventTimeBatches } from '../../../src/index.js';
import { webWorkers } from '../../../src/browser/web-workers.js';
import { keyGroupRangeForSubtask } from '../../../src/core/key-group-assignment.js';
import type { StreamBatch } from '../../../src/core/elements.js';
import { parallel } from '../../../src/parallel/index.js';
import { totals, type Hit } from './parallel-segment.js';

const hits: Hit[] = Array.from({ length: 2_000 }, (_, i) => ({ key: `user-${(i * 7919) % 50}`, at: i * 10 }));

const keyed = (): Observable<StreamBatch<Hit, string>> =>
  fromIterable(hits, { batchSize: 100 }).pipe(
    withEventTimeBatches({ timestamp: (h: Hit) => h.at, watermarks: boundedOutOfOrderness(0) }),
    keyBy((h: Hit) => h.key),
  );

const values = async (stream: Observable<StreamBatch<unknown, unknown>>): Promise<string[]> =>
  (await firstValueFrom(stream.pipe(toRecords(), toArray()))).map((r) => String(r.value));

export const api = {
  async run(): Promise<{ workers: string[]; page: string[] }> {
    const workers = webWorkers({ url: new URL('./worker/app.js', location.href) });
    const info = { subtask: 0, parallelism: 1, maxParallelism: 128, keyGroups: keyGroupRangeForSubtask(128, 1, 0) };
    return {
      workers: await values(keyed().pipe(parallel(totals, { workers, parallelism: 2, credits: 2 }))),
      page: await values(totals.build(keyed(), info)),
    };
  },
};
(window as unknown as { __rx: typeof api }).__rx = api;
