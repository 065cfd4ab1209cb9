import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { PIPELINE_CONTROL, type PipelineLink } from '../core/checkpointing.js';
import { markerBatch, type ControlElement } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import type { MetricsCollector } from '../core/metrics/collector.js';
import { OperatorProbe } from '../core/metrics/probe.js';

/** Options of `withMetrics`. */
export interface WithMetricsOptions {
  /** The source's name in the job graph (default `'source'`). */
  name?: string;
}

/**
 * Links a pipeline without checkpoints to `metrics` (docs/monitoring.md): put it right after the
 * source, before the entry operator (`withEventTime`, `withEventTimeBatches`). It sends what a
 * checkpointed source sends first, a `pipeline` control element carrying the metrics, so that every
 * operator downstream joins the job graph as it passes; it counts the values of the source per
 * batch. A checkpointed pipeline gets its metrics from `startCheckpointing({ metrics })` instead.
 *
 * @example
 * ```ts
 * const metrics = new PipelineMetrics({ job: 'clicks' });
 * clicks$.pipe(
 *   withMetrics(metrics, { name: 'clicks' }),
 *   withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(500) }),
 *   keyBy((c) => c.page),
 *   window(tumblingEventTimeWindows(1000)).aggregate(count()),
 *   toValues(),
 * ).subscribe();
 * ```
 */
export function withMetrics<V>(
  metrics: MetricsCollector,
  options: WithMetricsOptions = {},
): MonoTypeOperatorFunction<V> {
  if (typeof (metrics as { join?: unknown } | null)?.join !== 'function') {
    throw new InvalidOptionError('metrics', metrics, 'must be a PipelineMetrics');
  }
  const name = options.name ?? 'source';
  if (typeof name !== 'string' || name === '') throw new InvalidOptionError('name', name, 'must be a non-empty string');
  // Failures are recorded by the metrics (reportPipelineFailure); with no coordinator, nothing else hears them.
  const link: PipelineLink = { fail: () => undefined, metrics };
  return (source) =>
    new Observable<V>((subscriber) => {
      const probe = new OperatorProbe(name, 'source', null, null);
      const element: ControlElement = { kind: 'control', type: PIPELINE_CONTROL, payload: link };
      metrics.joinProbe(probe, element);
      subscriber.next(markerBatch([element]) as unknown as V);
      const subscription = source.subscribe({
        next: (value) => {
          const n = Array.isArray(value) ? value.length : 1;
          probe.recordsIn += n;
          probe.recordsOut += n;
          subscriber.next(value);
        },
        error: (error: unknown) => {
          metrics.exception(probe, error);
          subscriber.error(error);
        },
        complete: () => subscriber.complete(),
      });
      // Complete, error or unsubscribe: this run's operators are finished (they leave the graph when the next run joins).
      return () => {
        subscription.unsubscribe();
        metrics.leave(element);
      };
    });
}
