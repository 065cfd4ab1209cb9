// Uses every entry point as an app would; `npm run check:consumer` compiles it against dist/.
import { from, type Observable } from 'rxjs';
import {
  boundedOutOfOrderness,
  count,
  exactlyOnceSink,
  fromPush,
  keyBy,
  memoryBackend,
  quantiles,
  startCheckpointing,
  toValues,
  tumblingEventTimeWindows,
  window,
  windowBy,
  withEventTime,
  withEventTimeBatches,
  type QuantileSummary,
  type WindowResult,
} from 'rxflink';
import { fromStreamOperator, type StreamOperator } from 'rxflink/engine';
import { unbatched } from 'rxflink/testing';
import { fileBackend } from 'rxflink/node';
import { openIndexedDbBackend } from 'rxflink/idb';
import { fromWebVitals, type VitalUpdate } from 'rxflink/web-vitals';
import { watchPageExit, type PageExitReport } from 'rxflink/browser';
import { PipelineMetrics, withMetrics, type MetricsSnapshot } from 'rxflink';
import { exportMetrics } from 'rxflink/otel';
import { metrics as otel } from '@opentelemetry/api';
import { mountDevtools, type DevtoolsHandle } from 'rxflink/devtools';
import { nodeWorkers } from 'rxflink/node';
import { defineSegment, parallel } from 'rxflink/parallel';

interface Click {
  page: string;
  at: number;
  ms: number;
}
const clicks$ = from<Click[]>([{ page: '/home', at: 1_000, ms: 12 }]);

export const perPage$: Observable<WindowResult<string, number>> = clicks$.pipe(
  withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(2_000) }),
  keyBy((c: Click) => c.page),
  window(tumblingEventTimeWindows(60_000)).aggregate(count()),
  toValues(),
);
export const latency$: Observable<WindowResult<string, QuantileSummary>> = clicks$.pipe(
  withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(2_000) }),
  keyBy((c) => c.page),
  windowBy(tumblingEventTimeWindows(60_000)).aggregate(quantiles((c) => c.ms)),
  toValues(),
);

const doubling = (): StreamOperator<number, undefined, number, undefined> => ({
  processRecord: (r, out) => {
    out.push({ ...r, value: r.value * 2 });
  },
});
export const doubled = fromStreamOperator(doubling);
export const spread = unbatched<number, undefined>();

export async function checkpointed(): Promise<void> {
  const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'app' }), interval: 5_000 });
  checkpoints
    .source('clicks', fromPush(clicks$, { bufferSize: 1_000, overflow: 'drop-oldest' }))
    .pipe(
      withEventTimeBatches({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(2_000), uid: 'entry' }),
      keyBy((c: Click) => c.page),
      window(tumblingEventTimeWindows(60_000), { uid: 'counts' }).aggregate(count()),
      exactlyOnceSink(
        async (results: readonly WindowResult<string, number>[], id: number) => {
          console.log(id, results.length);
        },
        { uid: 'out' },
      ),
    )
    .subscribe();
  void fileBackend({ directory: './state', pipelineId: 'app' });
  void openIndexedDbBackend;
}

export const vitals$: Observable<VitalUpdate> = fromWebVitals({ metrics: ['LCP', 'CLS'], attribution: true });
export const exitReport = (): Promise<PageExitReport> =>
  watchPageExit({ pipelineId: 'app', url: '/collect', pending: () => [] }).exit();
export const jobMetrics = new PipelineMetrics({ job: 'app' });
export const measured$ = clicks$.pipe(
  withMetrics(jobMetrics),
  withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(2_000) }),
);
export const snapshot: MetricsSnapshot = jobMetrics.snapshot();
export const exported = exportMetrics(jobMetrics, otel.getMeter('app'));

export const openDevtools = (): DevtoolsHandle =>
  mountDevtools(jobMetrics, { position: 'bottom-left', intervalMs: 1_000 });

// A keyed segment in worker threads: defined (and exported) in the module the workers import.
export const perPageSegment = defineSegment<Click, string, unknown>(import.meta.url, 'perPage', (keyed) =>
  keyed.pipe(window(tumblingEventTimeWindows(60_000)).aggregate(count())),
);
export const perPageParallel$ = clicks$.pipe(
  withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(2_000) }),
  keyBy((c: Click) => c.page),
  parallel(perPageSegment, { workers: nodeWorkers(), parallelism: 2 }),
  toValues(),
);
