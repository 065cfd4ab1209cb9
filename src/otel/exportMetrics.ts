import type { Attributes, BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import { InvalidOptionError } from '../core/errors.js';
import type { MetricsCollector } from '../core/metrics/collector.js';
import type { CheckpointMetrics } from '../core/metrics/types.js';
import { CHECKPOINT_INSTRUMENTS, OPERATOR_INSTRUMENTS } from './instruments.js';

/** What `exportMetrics` returns: stops observing. */
export interface MetricsExport {
  /** Removes the callback from the meter; the instruments stay registered, without values. */
  stop(): void;
}

/**
 * Exports a pipeline's metrics through an OpenTelemetry `Meter` (docs/monitoring.md) as observable
 * instruments named `rxflink.operator.*` (attributes `job.name`, `operator.id`, `operator.name`,
 * `operator.kind`) and `rxflink.checkpoint.*` (attribute `job.name`). The meter's reader samples
 * them: one `MetricsSnapshot` per collection, rates measured between collections. Only the types
 * of `@opentelemetry/api` are used here: pass a meter from whatever SDK the application set up.
 *
 * @example
 * ```ts
 * import { metrics as otel } from '@opentelemetry/api';
 * import { exportMetrics } from 'rxflink/otel';
 * import { PipelineMetrics } from 'rxflink';
 * const metrics = new PipelineMetrics({ job: 'clicks' });
 * exportMetrics(metrics, otel.getMeter('rxflink'));
 * ```
 */
export function exportMetrics(metrics: MetricsCollector, meter: Meter): MetricsExport {
  if (typeof (metrics as { sampler?: unknown } | null)?.sampler !== 'function')
    throw new InvalidOptionError('metrics', metrics, 'must be a PipelineMetrics');
  if (typeof (meter as { addBatchObservableCallback?: unknown } | null)?.addBatchObservableCallback !== 'function') {
    throw new InvalidOptionError(
      'meter',
      meter,
      'must be an OpenTelemetry Meter (metrics.getMeter(name) from @opentelemetry/api)',
    );
  }
  const create = (i: { name: string; type: 'counter' | 'gauge'; unit: string; description: string }): Observable =>
    i.type === 'counter'
      ? meter.createObservableCounter(i.name, { unit: i.unit, description: i.description })
      : meter.createObservableGauge(i.name, { unit: i.unit, description: i.description });
  const operatorInstruments = OPERATOR_INSTRUMENTS.map((i) => ({ i, observable: create(i) }));
  const checkpointInstruments = CHECKPOINT_INSTRUMENTS.map((i) => ({ i, observable: create(i) }));
  const sampler = metrics.sampler();
  const callback = (result: BatchObservableResult): void => {
    const snapshot = sampler.take();
    const job = { 'job.name': snapshot.job };
    for (const operator of snapshot.operators) {
      const attributes: Attributes = {
        ...job,
        'operator.id': operator.id,
        'operator.name': operator.name,
        'operator.kind': operator.kind,
      };
      for (const { i, observable } of operatorInstruments) {
        const value = i.value(operator);
        if (value !== null) result.observe(observable, value, attributes);
      }
    }
    const last = lastCompleted(snapshot.checkpoints.history);
    for (const { i, observable } of checkpointInstruments) {
      const value = i.value(snapshot.checkpoints, last);
      if (value !== null) result.observe(observable, value, job);
    }
  };
  const observables = [...operatorInstruments, ...checkpointInstruments].map((x) => x.observable);
  meter.addBatchObservableCallback(callback, observables);
  return { stop: () => meter.removeBatchObservableCallback(callback, observables) };
}

function lastCompleted(history: readonly CheckpointMetrics[]): CheckpointMetrics | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.status === 'completed') return history[i];
  return undefined;
}
