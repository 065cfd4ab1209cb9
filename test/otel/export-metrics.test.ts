// Issue 13: exportMetrics checks what it is given, and stop() removes its callback from the meter.
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Subject } from 'rxjs';
import { expect, it } from 'vitest';
import {
  boundedOutOfOrderness,
  InvalidOptionError,
  mapValues,
  PipelineMetrics,
  withEventTimeBatches,
  withMetrics,
} from '../../src/index.js';
import { exportMetrics } from '../../src/otel/index.js';

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

it('options are validated: a PipelineMetrics and an OpenTelemetry Meter', () => {
  const meter = new MeterProvider().getMeter('t');
  expect(() => exportMetrics({} as PipelineMetrics, meter)).toThrow(InvalidOptionError);
  expect(() => exportMetrics(new PipelineMetrics(), {} as never)).toThrow(InvalidOptionError);
});

it('each collection observes every operator; after stop() the values are no longer updated', async () => {
  const reader = new TestReader();
  const meter = new MeterProvider({ readers: [reader] }).getMeter('t');
  const metrics = new PipelineMetrics({ job: 'j' });
  const input = new Subject<number[]>();
  const subscription = input
    .pipe(
      withMetrics(metrics),
      withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0) }),
      mapValues((n: number) => n),
    )
    .subscribe();
  input.next([1, 2, 3]);
  const exported = exportMetrics(metrics, meter);
  const recordsIn = async () => {
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'rxflink.operator.records.in')!;
    expect(metric.descriptor.unit).toBe('{record}');
    return metric.dataPoints.map((p) => [p.attributes['operator.id'], p.attributes['job.name'], p.value]);
  };
  expect(await recordsIn()).toEqual([
    ['source#1', 'j', 3],
    ['TimestampsAndWatermarks#1', 'j', 3],
    ['Map#1', 'j', 3],
  ]);
  input.next([4, 5]);
  expect(await recordsIn()).toEqual([
    ['source#1', 'j', 5],
    ['TimestampsAndWatermarks#1', 'j', 5],
    ['Map#1', 'j', 5],
  ]);
  exported.stop();
  input.next([6]);
  expect((await recordsIn()).map((p) => p[2])).toEqual([5, 5, 5]);
  subscription.unsubscribe();
});
