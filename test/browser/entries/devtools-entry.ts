// Browser side of test/browser/devtools.test.ts: a live, checkpointed click pipeline (two sources
// merged, a windowed count per page, a sink) with the devtools panel mounted on its metrics.
import {
  asyncSink,
  boundedOutOfOrderness,
  count,
  fromAsyncIterable,
  keyBy,
  mergeTimed,
  PipelineMetrics,
  startCheckpointing,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
} from '../../../src/index.js';
import type { Subscription } from 'rxjs';
import { openIndexedDbBackend } from '../../../src/idb/index.js';
import { mountDevtools, type DevtoolsHandle } from '../../../src/devtools/index.js';

interface Click {
  readonly page: string;
  readonly at: number;
}

const PAGES = ['/home', '/search', '/cart', '/checkout', '/help'];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Live clicks stamped with the wall clock, a few hundred a second; one in 200 arrives 8 s late. */
async function* clicks(lateEvery: number): AsyncGenerator<Click> {
  for (let i = 0; ; i++) {
    if (i % 20 === 0) await sleep(10);
    const late = i % lateEvery === lateEvery - 1;
    yield { page: PAGES[i % PAGES.length]!, at: Date.now() - (late ? 8_000 : Math.floor(Math.random() * 300)) };
  }
}

let devtools: DevtoolsHandle | undefined;
let running: Subscription | undefined;

export const api = {
  /** Starts the pipeline and mounts the panel; `slowSink`: each write takes 100 ms (one at a time). */
  async start(options: { slowSink: boolean }): Promise<void> {
    const metrics = new PipelineMetrics({ job: 'clicks per page' });
    const backend = await openIndexedDbBackend({ pipelineId: `devtools-${crypto.randomUUID()}` });
    const checkpoints = await startCheckpointing({ backend, interval: 500, metrics });
    const entry = (uid: string) =>
      withEventTimeBatches({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(1_000), uid });
    const web$ = checkpoints
      .source('web clicks', fromAsyncIterable(clicks(200), { batchSize: 20, name: 'web clicks' }))
      .pipe(entry('web'));
    const mobile$ = checkpoints
      .source('mobile clicks', fromAsyncIterable(clicks(150), { batchSize: 20, name: 'mobile clicks' }))
      .pipe(entry('mobile'));
    const subscription = mergeTimed(web$, mobile$)
      .pipe(
        asyncSink(() => (options.slowSink ? sleep(100) : Promise.resolve()), { bufferSize: 40, name: 'archive sink' }),
        keyBy((c: Click) => c.page),
        window(tumblingEventTimeWindows(2_000), { uid: 'clicks per page' }).aggregate(count()),
        toValues(),
      )
      .subscribe();
    running = subscription;
    devtools = mountDevtools(metrics, { stateOwner: backend, intervalMs: 250 });
  },
  /** Unsubscribes the pipeline: its operators are finished and stay in the graph. */
  stop: () => running?.unsubscribe(),
  isOpen: () => devtools?.isOpen ?? false,
};
(globalThis as unknown as { __rx: typeof api }).__rx = api;
