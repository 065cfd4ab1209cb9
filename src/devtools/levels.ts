import type { OperatorMetrics } from '../core/metrics/types.js';

/** Flink's backpressure levels (Web UI, "Back Pressure" tab): OK up to 10%, LOW up to 50%, HIGH above. */
export type BackpressureLevel = 'OK' | 'LOW' | 'HIGH';

/**
 * The backpressure level of an operator from its `backPressuredTimeMsPerSecond`, with Flink's
 * thresholds: a ratio of at most 0.10 is OK, at most 0.50 LOW, above that HIGH.
 *
 * @example
 * ```ts
 * backpressureLevel(80);  // 'OK'
 * backpressureLevel(400); // 'LOW'
 * backpressureLevel(900); // 'HIGH'
 * ```
 */
export function backpressureLevel(backPressuredTimeMsPerSecond: number): BackpressureLevel {
  const ratio = backPressuredTimeMsPerSecond / 1000;
  return ratio <= 0.1 ? 'OK' : ratio <= 0.5 ? 'LOW' : 'HIGH';
}

/**
 * An operator's backpressured ms per second as its node and row show it: for a parallel stage, the
 * most backpressured of the stage and its subtasks, as Flink's Web UI shows a vertex at the level of
 * its most backpressured subtask.
 *
 * @example
 * // internal: vertexBackpressure({ backPressuredTimeMsPerSecond: 0, subtasks: [{ backPressuredTimeMsPerSecond: 900 }] }); // 900
 */
export function vertexBackpressure(
  o: Pick<OperatorMetrics, 'backPressuredTimeMsPerSecond'> & {
    readonly subtasks?: readonly Pick<OperatorMetrics, 'backPressuredTimeMsPerSecond'>[] | undefined;
  },
): number {
  let worst = o.backPressuredTimeMsPerSecond;
  for (const s of o.subtasks ?? []) worst = Math.max(worst, s.backPressuredTimeMsPerSecond);
  return worst;
}

/** A count or rate in a few characters: 999, 1.2k, 3.4M. */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return Number.isInteger(n) ? String(n) : n.toFixed(1);
  if (abs < 1e6) return `${(n / 1e3).toFixed(abs < 1e4 ? 1 : 0)}k`;
  if (abs < 1e9) return `${(n / 1e6).toFixed(abs < 1e7 ? 1 : 0)}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}

/** A duration in ms, in the unit a person reads: 850 ms, 1.2 s, 3.5 min, 2.0 h; '–' for null. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (abs < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (abs < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(0)} d`;
}

/** Bytes as B, KB, MB (powers of 1024); '–' for null. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A time of day (UTC, hh:mm:ss) of an epoch-ms timestamp; the number itself for small (test-clock) times. */
export function formatClock(time: number): string {
  if (time < 86_400_000) return formatDuration(time);
  return new Date(time).toISOString().slice(11, 19);
}

/**
 * How far an operator's watermark is behind processing time `now`: its output watermark (its input
 * one before it emitted any); null without a watermark, and once it is finished (it waits for nothing).
 *
 * @example
 * ```ts
 * // internal: watermarkLag(o, snapshot.time) // 2300: the watermark is 2.3 s behind
 * ```
 */
export function watermarkLag(o: OperatorMetrics, now: number): number | null {
  const watermark = o.currentOutputWatermark ?? o.currentInputWatermark;
  return watermark === null || o.status === 'finished' ? null : now - watermark;
}

/** A row of the panel's operator lists: an operator, or one subtask of a parallel stage, after it. */
export interface OperatorRow {
  readonly metrics: OperatorMetrics;
  /** The operator's id, or `↳ name (i/n)` for a subtask (Flink names a subtask `name (i/n)`). */
  readonly label: string;
  readonly subtask: boolean;
}

/**
 * The operators as the panel's table and lanes list them: a parallel stage's subtasks follow it, one
 * row each, as Flink's Web UI lists a vertex's subtasks under it (records, watermark, backpressure).
 *
 * @example
 * ```ts
 * // internal: operatorRows(snapshot.operators).map((r) => r.label) // ['sums#1', '↳ sums (1/2)', '↳ sums (2/2)']
 * ```
 */
export function operatorRows(operators: readonly OperatorMetrics[]): OperatorRow[] {
  return operators.flatMap((o) => [
    { metrics: o, label: o.id, subtask: false },
    ...(o.subtasks ?? []).map((s) => ({ metrics: s, label: `↳ ${s.name}`, subtask: true })),
  ]);
}

/** An operator's watermark, output else input, as a time of day; '–' for none. */
export function formatWatermark(o: OperatorMetrics): string {
  const watermark = o.currentOutputWatermark ?? o.currentInputWatermark;
  return watermark === null ? '–' : formatClock(watermark);
}
