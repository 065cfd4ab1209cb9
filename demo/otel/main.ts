/**
 * `npm run demo:otel [port]`: runs the clicks-per-page pipeline with its metrics on a Prometheus
 * endpoint (default http://127.0.0.1:9464/metrics, OpenTelemetry's default port), shows its
 * progress, and keeps the endpoint up until Ctrl-C so that Prometheus (and the Grafana dashboard in
 * docs/grafana/rxflink-dashboard.json) can scrape the final values.
 */
import { showProgress } from '../progress.js';
import { startOtelDemo } from './pipeline.js';

const port = Number(process.argv[2] ?? 9464);
const demo = await startOtelDemo({ port });
console.log(`Metrics on ${demo.url} (scrape it with Prometheus; dashboard: docs/grafana/rxflink-dashboard.json)`);
const progress = showProgress(demo.metrics, 500);
const results = await demo.finished;
progress.unsubscribe();
const m = demo.metrics.snapshot();
console.log(
  `${results} window results; ${m.checkpoints.completed} checkpoints; operators: ${m.operators.map((o) => `${o.id} (${o.numRecordsIn} in)`).join(' → ')}`,
);
if (process.env['OTEL_DEMO_EXIT'] === '1') {
  await demo.stop();
} else {
  console.log('The endpoint stays up: press Ctrl-C to stop.');
  process.once('SIGINT', () => void demo.stop().then(() => process.exit(0)));
}
