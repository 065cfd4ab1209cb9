/**
 * What the web-vitals source emits: one element per report of a metric, turned into an update of that
 * metric (docs/telemetry.md, "Web vitals"). Types only, so that an app can name them without loading
 * the source.
 */
import type { Metric, MetricWithAttribution } from 'web-vitals';

/** The five Core Web Vitals and helpers the source can observe. */
export type VitalName = Metric['name'];

/** The names the source observes when `metrics` is not given. */
export const VITAL_NAMES: readonly VitalName[] = Object.freeze(['LCP', 'INP', 'CLS', 'FCP', 'TTFB']);

/**
 * One report of a web vital, as an update of the metric instance it belongs to.
 *
 * web-vitals reports one metric instance (one `id`) several times while its value changes (CLS grows,
 * INP and LCP are replaced by larger ones), each time with the new `value` and the `delta` since the
 * previous report. The source keeps that identity: `update` numbers the reports of one `id`
 * (0 for the first), and `delta` is the change since the previous one, so that
 * - a windowed **sum** sums `delta`: the sum over all windows equals the sum of the final values,
 *   whichever window each report falls in, and no report is counted twice;
 * - a windowed **count** of metrics counts only `update === 0`;
 * - a **distribution** (p75 of LCP) takes the latest `value` per `id`: key by `id` and keep the
 *   report with the highest `update`, or use the reports of a page that went hidden.
 *
 * @example
 * ```ts
 * const clsPerWindow$ = fromWebVitals({ metrics: ['CLS'] }).pipe(
 *   withEventTime({ timestamp: (v: VitalUpdate) => v.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   filterValues((v) => v.name === 'CLS'),
 *   keyBy((v) => v.name),
 *   windowBy(tumblingEventTimeWindows(10_000)).aggregate(sum((v) => v.delta)),
 *   toValues(),
 * );
 * ```
 */
export interface VitalUpdate {
  /** Which metric: 'LCP', 'INP', 'CLS', 'FCP' or 'TTFB'. */
  readonly name: VitalName;
  /** web-vitals' id of the metric instance: the same on every report of it (a page restored from the back/forward cache starts new ones). */
  readonly id: string;
  /** The current value of the metric instance (ms; CLS is unitless). */
  readonly value: number;
  /** The change since this id's previous report; on the first report, the value itself. */
  readonly delta: number;
  /** 0 on the first report of this id, then 1, 2, ...: an update of the same metric, never a new one. */
  readonly update: number;
  /** web-vitals' rating of the current value. */
  readonly rating: Metric['rating'];
  /** How the page was reached (web-vitals' navigationType). */
  readonly navigationType: Metric['navigationType'];
  /** When the report arrived: milliseconds since the epoch, from the source's scheduler (its event time). */
  readonly at: number;
  /** web-vitals' attribution (what caused the value), when the source was asked for it. */
  readonly attribution?: MetricWithAttribution['attribution'];
}
