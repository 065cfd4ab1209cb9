// Issue 13: the OpenTelemetry demo exports the pipeline's metrics on a loopback Prometheus endpoint;
// scraped while the pipeline runs and after it finished, the values match the records it processed.
import { afterEach, expect, it } from 'vitest';
import { startOtelDemo, type OtelDemo } from '../../demo/otel/pipeline.js';
import { freePort, scrape, type Sample } from './scrape.js';

let demo: OtelDemo | undefined;
afterEach(async () => {
  await demo?.stop();
  demo = undefined;
});

const value = (samples: readonly Sample[], name: string, labels: Record<string, string>): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

it('npm run demo:otel: /metrics over loopback shows the operators with job and operator labels, counts that grow to the records processed', async () => {
  const CLICKS = 30_000;
  demo = await startOtelDemo({ port: await freePort(), clicks: CLICKS, pauseMs: 20 });
  expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const chain = { job_name: 'clicks-per-page', operator_id: 'clicks-per-page', operator_kind: 'chain' };
  // While it runs: counts between 0 and the total, never decreasing from one scrape to the next.
  const seen: number[] = [];
  let finished = false;
  void demo.finished.then(
    () => (finished = true),
    () => (finished = true),
  );
  while (!finished) {
    const n = value(await scrape(demo.url), 'rxflink_operator_records_in_total', chain);
    if (n !== undefined) seen.push(n);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(seen.some((n) => n > 0 && n < CLICKS)).toBe(true);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));

  const results = await demo.finished;
  const samples = await scrape(demo.url);
  expect(value(samples, 'rxflink_operator_records_in_total', chain)).toBe(CLICKS);
  expect(value(samples, 'rxflink_operator_records_out_total', chain)).toBe(results);
  // 5 pages in every 1-second window over CLICKS ms of event time (one more window when it does not start on a second).
  expect(results === 5 * (CLICKS / 1000) || results === 5 * (CLICKS / 1000 + 1)).toBe(true);
  expect(
    value(samples, 'rxflink_operator_records_out_total', { job_name: 'clicks-per-page', operator_kind: 'source' }),
  ).toBe(CLICKS);
  expect(value(samples, 'rxflink_operator_records_late_dropped_total', chain)).toBe(0);
  expect(value(samples, 'rxflink_checkpoint_completed_total', { job_name: 'clicks-per-page' })).toBeGreaterThanOrEqual(
    1,
  );
  expect(value(samples, 'rxflink_checkpoint_size', { job_name: 'clicks-per-page' })).toBeGreaterThan(0);
  const busy = value(samples, 'rxflink_operator_busy', chain)!;
  expect(busy).toBeGreaterThanOrEqual(0);
  expect(busy).toBeLessThanOrEqual(1);
}, 60_000);
