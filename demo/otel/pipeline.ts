/**
 * The OpenTelemetry demo's pipeline (issue 13): clicks counted per page in 1-second event-time
 * windows, checkpointed in memory every 250 ms, its metrics exported through the OpenTelemetry SDK
 * to a Prometheus endpoint on the loopback interface. `startOtelDemo` is what `npm run demo:otel`
 * runs and what test/otel/demo.test.ts scrapes.
 */
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  boundedOutOfOrderness,
  count,
  fromAsyncIterable,
  keyBy,
  memoryBackend,
  PipelineMetrics,
  startCheckpointing,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
} from '../../src/index.js';
import { exportMetrics } from '../../src/otel/index.js';

export interface Click {
  readonly page: string;
  readonly at: number;
}

export interface OtelDemoOptions {
  /** The loopback port of the Prometheus endpoint. */
  port: number;
  /** How many clicks the source produces (default 200,000). */
  clicks?: number;
  /** A pause after every 1,000 clicks, in ms, so that a run lasts long enough to watch (default 5). */
  pauseMs?: number;
}

export interface OtelDemo {
  /** The Prometheus endpoint, `http://127.0.0.1:<port>/metrics`. */
  readonly url: string;
  readonly metrics: PipelineMetrics;
  /** Resolves with the number of window results once every click went through. */
  readonly finished: Promise<number>;
  /** Stops the endpoint and the meter provider. */
  stop(): Promise<void>;
}

const PAGES = ['home', 'search', 'cart', 'checkout', 'help'];

/**
 * Clicks on a few pages, 1 ms of event time apart and ending about now (so that the watermark lag
 * is realistic), pausing every 1,000 as a live source would.
 */
async function* clicks(n: number, pauseMs: number): AsyncGenerator<Click> {
  const start = Date.now() - n;
  for (let i = 0; i < n; i++) {
    if (i % 1000 === 0 && i > 0 && pauseMs > 0) await sleep(pauseMs);
    yield { page: PAGES[(i * 7) % PAGES.length]!, at: start + i };
  }
}

/** Starts the endpoint, then the pipeline. */
export async function startOtelDemo(options: OtelDemoOptions): Promise<OtelDemo> {
  const exporter = new PrometheusExporter({ host: '127.0.0.1', port: options.port, preventServerStart: true });
  await exporter.startServer();
  const provider = new MeterProvider({ readers: [exporter] });
  const metrics = new PipelineMetrics({ job: 'clicks-per-page' });
  exportMetrics(metrics, provider.getMeter('rxflink-demo'));
  const checkpoints = await startCheckpointing({
    backend: memoryBackend({ pipelineId: 'clicks-per-page' }),
    interval: 250,
    metrics,
  });
  const source = checkpoints.source(
    'clicks',
    fromAsyncIterable(clicks(options.clicks ?? 200_000, options.pauseMs ?? 5), { batchSize: 500 }),
  );
  const finished = new Promise<number>((resolve, reject) => {
    let results = 0;
    source
      .pipe(
        withEventTimeBatches({
          timestamp: (c: Click) => c.at,
          watermarks: boundedOutOfOrderness<Click>(100).onEveryBatch(),
          uid: 'clicks-entry',
        }),
        keyBy((c: Click) => c.page),
        window(tumblingEventTimeWindows(1000), { uid: 'clicks-per-page' }).aggregate(count()),
        toValues(),
      )
      .subscribe({ next: () => results++, error: reject, complete: () => resolve(results) });
  });
  return {
    url: `http://127.0.0.1:${options.port}/metrics`,
    metrics,
    finished: finished.then(async (results) => {
      await checkpoints.whenFinished();
      return results;
    }),
    stop: async () => {
      await checkpoints.close();
      await provider.shutdown();
    },
  };
}
