// Issue 13: the Grafana dashboard in docs/grafana/ queries only metrics the Prometheus exporter
// really exposes, with the labels it really sets: checked against a scrape of the demo.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtelDemo, type OtelDemo } from '../../demo/otel/pipeline.js';
import { freePort, scrape, type Sample } from './scrape.js';

interface Panel {
  readonly title: string;
  readonly type: string;
  readonly targets?: readonly { readonly expr: string }[];
}
const dashboard = JSON.parse(
  readFileSync(new URL('../../docs/grafana/rxflink-dashboard.json', import.meta.url), 'utf8'),
) as {
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly { readonly name: string; readonly query: string | object }[] };
};
const queries = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr }))),
  ...dashboard.templating.list
    .filter((v) => typeof v.query === 'string' && v.query.includes('rxflink'))
    .map((v) => ({ where: `$${v.name}`, expr: v.query as string })),
];
/** The metric names a PromQL expression reads (rxflink's only: the dashboard reads nothing else). */
const metricsOf = (expr: string): string[] => [...expr.matchAll(/\brxflink_[a-z_]+/g)].map((m) => m[0]);
/** The label names a PromQL expression uses in selectors and `by (...)` clauses. */
const labelsOf = (expr: string): string[] => [
  ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
    [...m[1]!.matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!),
  ),
  ...[...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim())),
  ...[...expr.matchAll(/label_values\([^,]+,\s*([a-z_]+)\)/g)].map((m) => m[1]!),
];

describe('docs/grafana/rxflink-dashboard.json', () => {
  let demo: OtelDemo;
  let samples: Sample[];
  beforeAll(async () => {
    demo = await startOtelDemo({ port: await freePort(), clicks: 10_000, pauseMs: 20 });
    // While it runs (watermarks are finite, so their gauges have values), and once it finished
    // (the last checkpoint is stored): the union of what the exporter exposed.
    samples = [];
    let finished = false;
    void demo.finished.then(
      () => (finished = true),
      () => (finished = true),
    );
    while (!finished && !samples.some((s) => s.name === 'rxflink_operator_watermark_lag')) {
      samples.push(...(await scrape(demo.url)));
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await demo.finished;
    samples.push(...(await scrape(demo.url)));
  }, 60_000);
  afterAll(() => demo.stop());

  it("has Flink's panels: throughput, watermark lag, backpressure, checkpoint duration and size", () => {
    const titles = dashboard.panels.map((p) => p.title);
    for (const title of [
      'Records in per second',
      'Records out per second',
      'Watermark lag',
      'Backpressure',
      'Checkpoint duration',
      'Checkpoint size',
    ]) {
      expect(titles).toContain(title);
    }
  });

  it('every query names metrics that the exporter exposes, and only labels those metrics carry', () => {
    expect(queries.length).toBeGreaterThanOrEqual(10);
    for (const { where, expr } of queries) {
      const names = metricsOf(expr);
      expect(names.length, `${where}: ${expr} reads no rxflink metric`).toBeGreaterThan(0);
      for (const name of names) {
        const exposed = samples.filter((s) => s.name === name);
        expect(exposed.length, `${where}: ${name} is not exposed`).toBeGreaterThan(0);
        for (const label of labelsOf(expr))
          expect(
            exposed.some((s) => label in s.labels),
            `${where}: ${name} has no label ${label}`,
          ).toBe(true);
      }
    }
  });
});
