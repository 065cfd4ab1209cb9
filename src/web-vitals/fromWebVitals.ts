/**
 * A source of the page's own web vitals (LCP, INP, CLS, FCP, TTFB) from Google's `web-vitals`
 * library, an optional peer dependency loaded only when the source is subscribed (docs/architecture.md §10).
 */
import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import type { Metric, MetricWithAttribution, ReportOpts } from 'web-vitals';
import { InvalidOptionError } from '../core/errors.js';
import { VITAL_NAMES, type VitalName, type VitalUpdate } from './vital-update.js';

/** A registration function of web-vitals, such as `onLCP`: calls `report` for every report of the metric. */
export type VitalRegistration = (
  report: (metric: Metric | MetricWithAttribution) => void,
  options?: ReportOpts,
) => void;

/**
 * The five registration functions, as `import * as webVitals from 'web-vitals'` (or
 * `'web-vitals/attribution'`) provides them. Tests inject fakes.
 */
export interface WebVitalsLibrary {
  readonly onLCP: VitalRegistration;
  readonly onINP: VitalRegistration;
  readonly onCLS: VitalRegistration;
  readonly onFCP: VitalRegistration;
  readonly onTTFB: VitalRegistration;
}

/** Options of `fromWebVitals`. */
export interface WebVitalsOptions {
  /** Which metrics to observe. Default: all five. */
  readonly metrics?: readonly VitalName[];
  /** Include web-vitals' attribution (loads `web-vitals/attribution`, a larger build). Default false. */
  readonly attribution?: boolean;
  /** Report every change of a metric, not only when web-vitals considers it final (`reportAllChanges`). Default false. */
  readonly reportAllChanges?: boolean;
  /** The registration functions; by default imported from `web-vitals` (or `web-vitals/attribution`) on subscribe. */
  readonly library?: WebVitalsLibrary;
  /** Where `at`, the report's event time, is read from (`scheduler.now()`). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * The page's web vitals as a push Observable of `VitalUpdate`s: each report of a metric becomes an
 * update of that metric (same `id`, an `update` number and the `delta` since its previous report),
 * never a new metric, so that windowed sums and counts stay exact (see `VitalUpdate`).
 * It pushes, so put it behind `fromPush` in a pulled pipeline. web-vitals cannot unregister a
 * callback: after unsubscribe the source ignores further reports. Subscribe once per page (share
 * it), since each subscription registers again.
 *
 * @example
 * ```ts
 * import { fromPush, withEventTimeBatches, boundedOutOfOrderness } from 'rxflink';
 * import { fromWebVitals } from 'rxflink/web-vitals';
 *
 * const vitals = fromPush(fromWebVitals({ attribution: true, reportAllChanges: true }), { bufferSize: 100, overflow: 'drop-oldest' });
 * vitals.pipe(withEventTimeBatches({ timestamp: (v) => v.at, watermarks: boundedOutOfOrderness(1_000) })); // ...
 * ```
 */
export function fromWebVitals(options: WebVitalsOptions = {}): Observable<VitalUpdate> {
  const metrics = checkMetrics(options.metrics);
  const attribution = options.attribution ?? false;
  if (typeof attribution !== 'boolean')
    throw new InvalidOptionError('attribution', attribution, 'must be true or false');
  const reportAllChanges = options.reportAllChanges ?? false;
  if (typeof reportAllChanges !== 'boolean')
    throw new InvalidOptionError('reportAllChanges', reportAllChanges, 'must be true or false');
  if (options.library !== undefined) checkLibrary(options.library, metrics);
  const scheduler = options.scheduler ?? asyncScheduler;

  return new Observable<VitalUpdate>((subscriber) => {
    let active = true;
    // The number of reports seen per metric instance: the `update` of the next one.
    const reports = new Map<string, number>();
    const report = (metric: Metric | MetricWithAttribution): void => {
      if (!active) return;
      const update = reports.get(metric.id) ?? 0;
      reports.set(metric.id, update + 1);
      const base = {
        name: metric.name,
        id: metric.id,
        value: metric.value,
        delta: metric.delta,
        update,
        rating: metric.rating,
        navigationType: metric.navigationType,
        at: Math.round(scheduler.now()),
      };
      subscriber.next(attribution && 'attribution' in metric ? { ...base, attribution: metric.attribution } : base);
    };
    // A registration that throws (web-vitals outside a page: no document) fails the stream, also
    // when it runs after the import resolved, instead of becoming an unhandled rejection.
    const register = (library: WebVitalsLibrary): void => {
      if (!active) return;
      try {
        for (const name of metrics) library[`on${name}`](report, { reportAllChanges });
      } catch (error) {
        subscriber.error(error);
      }
    };
    if (options.library !== undefined) register(options.library);
    else {
      const loading: Promise<WebVitalsLibrary> = attribution ? import('web-vitals/attribution') : import('web-vitals');
      loading.then(register, (error: unknown) => subscriber.error(error));
    }
    return () => {
      active = false;
    };
  });
}

function checkMetrics(metrics: readonly VitalName[] | undefined): readonly VitalName[] {
  if (metrics === undefined) return VITAL_NAMES;
  if (!Array.isArray(metrics) || metrics.length === 0) {
    throw new InvalidOptionError('metrics', metrics, `must be a non-empty array of ${VITAL_NAMES.join(', ')}`);
  }
  for (const name of metrics) {
    if (!VITAL_NAMES.includes(name))
      throw new InvalidOptionError('metrics', name, `is not a web vital: use ${VITAL_NAMES.join(', ')}`);
  }
  return [...new Set(metrics)];
}

function checkLibrary(library: WebVitalsLibrary, metrics: readonly VitalName[]): void {
  for (const name of metrics) {
    const fn = (library as unknown as Record<string, unknown>)[`on${name}`];
    if (typeof fn !== 'function') {
      throw new InvalidOptionError(
        `library.on${name}`,
        fn,
        "must be web-vitals' registration function (import * as webVitals from 'web-vitals')",
      );
    }
  }
}
