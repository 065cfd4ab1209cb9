import { asyncScheduler, Observable, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { InvalidOptionError } from '../core/errors.js';
import { MetricsCollector } from '../core/metrics/collector.js';
import type { MetricsSnapshot } from '../core/metrics/types.js';

/** Options of `PipelineMetrics`. */
export interface PipelineMetricsOptions {
  /** The job's name: an attribute of everything exported (default `'rxflink'`). */
  job?: string;
  /** Where processing time comes from (rates, busy time, watermark lag); default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/**
 * The metrics of one pipeline, like Flink's Web UI shows them (docs/monitoring.md): the job graph,
 * records in and out with their rates, watermarks and their lag, late records, busy and
 * backpressured time, state size, the last 10 checkpoints and the last exceptions. All of it is
 * plain data, read synchronously with `snapshot()` or sampled on the scheduler with `updates()`.
 *
 * A pipeline reports here once it is linked: pass it to `startCheckpointing({ metrics })` for a
 * checkpointed pipeline, or put `withMetrics(metrics)` right after the source of one without
 * checkpoints. When nothing is linked, operators only add batch lengths to a few number fields.
 *
 * @example
 * ```ts
 * const metrics = new PipelineMetrics({ job: 'clicks' });
 * clicks$.pipe(
 *   withMetrics(metrics),
 *   withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(500) }),
 *   keyBy((c) => c.page),
 *   window(tumblingEventTimeWindows(1000)).aggregate(count()),
 *   toValues(),
 * ).subscribe();
 * metrics.updates(1000).subscribe((m) => console.log(m.operators.map((o) => `${o.name}: ${o.numRecordsInPerSecond}/s`)));
 * ```
 */
export class PipelineMetrics extends MetricsCollector {
  readonly #scheduler: SchedulerLike;

  constructor(options: PipelineMetricsOptions = {}) {
    const job = options.job ?? 'rxflink';
    if (typeof job !== 'string' || job === '') throw new InvalidOptionError('job', job, 'must be a non-empty string');
    const scheduler = options.scheduler ?? asyncScheduler;
    super(job, () => scheduler.now());
    this.#scheduler = scheduler;
  }

  /**
   * A snapshot every `intervalMs` of processing time, on the scheduler, with rates measured over
   * each interval (each subscriber samples on its own). Never completes: unsubscribe.
   *
   * @example
   * ```ts
   * const metrics = new PipelineMetrics({ job: 'clicks' });
   * // Each half second: records per second into every operator of the job graph.
   * const sub = metrics.updates(500).subscribe((m) => console.log(m.operators.map((o) => o.numRecordsInPerSecond)));
   * ```
   */
  updates(intervalMs = 1000): Observable<MetricsSnapshot> {
    if (!(typeof intervalMs === 'number' && intervalMs > 0))
      throw new InvalidOptionError('intervalMs', intervalMs, 'must be a number of ms > 0');
    return new Observable<MetricsSnapshot>((subscriber) => {
      const sampler = this.sampler();
      return this.#scheduler.schedule(function tick(this: SchedulerAction<undefined>) {
        subscriber.next(sampler.take());
        this.schedule(undefined, intervalMs);
      }, intervalMs);
    });
  }
}
