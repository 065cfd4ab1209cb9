// The telemetry pipelines: per page area and 10 s tumbling event-time window, the count, p50/p95
// latency and errors; per simulated user, a session window. Each is checkpointed in IndexedDB (one
// tab owns it through a Web Lock) and commits its results exactly once into an IndexedDB store, from
// which a reloaded page refills the Redux store, so the charts continue where they were.
import { createStore, entries, set } from 'idb-keyval';
import { pipe } from 'rxjs';
import {
  boundedOutOfOrderness,
  combine,
  count,
  eventTimeSessionWindows,
  filterValues,
  keyBy,
  quantiles,
  sum,
  tumblingEventTimeWindows,
  windowBy,
  withEventTimeBatches,
  type InvalidRecord,
  type QueryableWindows,
  type Key,
  type SideOutput,
  type StreamRecord,
  type WindowResult,
} from '../../../src/index.js';
import type { TelemetryEvent } from './generator.js';
import type { AreaWindow, UserSession } from './store.js';

export const WINDOW_MS = 10_000;
export const SESSION_GAP_MS = 4_000;
export const LATENESS_MS = 5_000;

/** The side outputs the page shows as counters. */
export interface Outputs {
  readonly invalid: SideOutput<InvalidRecord<TelemetryEvent>>;
  readonly late: SideOutput<StreamRecord<TelemetryEvent, Key>>;
}

const hasLatency =
  (invalid: Outputs['invalid']) =>
  (e: TelemetryEvent): boolean => {
    if (typeof e.latency === 'number' && Number.isFinite(e.latency)) return true;
    invalid.emit({ value: e, timestamp: e.at, reason: `latency ${JSON.stringify(e.latency)} is not a number` });
    return false;
  };

/** Timed events: a missing timestamp goes to `invalid`; the watermark follows every event (deterministic on replay). */
export const timed = (outputs: Outputs, uid: string | undefined, idle: boolean) =>
  withEventTimeBatches({
    timestamp: (e: TelemetryEvent) => e.at as number,
    watermarks: idle
      ? boundedOutOfOrderness<TelemetryEvent>(2_000).withIdleness(2_000)
      : boundedOutOfOrderness<TelemetryEvent>(2_000).onEveryEvent(),
    invalid: outputs.invalid,
    ...(uid === undefined ? {} : { uid }),
  });

/** What a window of an area computes (also read on page exit, from its open windows' accumulators). */
export const areaAggregate = combine({
  count: count(),
  latency: quantiles((e: TelemetryEvent) => e.latency as number),
  errors: sum((e: TelemetryEvent) => (e.error ? 1 : 0)),
});
type AreaValue = ReturnType<typeof areaAggregate.getResult>;

/**
 * Per area and 10 s window: count, p50/p95 latency, errors; late re-firings within 5 s, later ones
 * to `late`. `queryable`: the open windows, readable by the page (early panes on page exit).
 */
export const perArea = (outputs: Outputs, uid?: string, queryable?: QueryableWindows) =>
  pipe(
    filterValues(hasLatency(outputs.invalid)),
    keyBy((e: TelemetryEvent) => e.area),
    windowBy(tumblingEventTimeWindows(WINDOW_MS), {
      allowedLateness: LATENESS_MS,
      lateOutput: outputs.late,
      ...(uid === undefined ? {} : { uid }),
      ...(queryable === undefined ? {} : { queryable }),
    }).aggregate(areaAggregate),
  );

/** The figures the page shows of an area window's value. */
export const areaFigures = (v: AreaValue) => ({
  count: v.count,
  p50: Math.round(v.latency.p50),
  p95: Math.round(v.latency.p95),
  errors: v.errors,
});

/** A session per simulated user: a gap of 4 s of event time closes it. */
export const perUser = (uid?: string) =>
  pipe(
    keyBy((e: TelemetryEvent) => e.user),
    windowBy(eventTimeSessionWindows(SESSION_GAP_MS), uid === undefined ? {} : { uid }).aggregate(count()),
  );

export const toAreaWindow = (r: WindowResult<string, AreaValue>): AreaWindow => ({
  area: r.key,
  start: r.window.start,
  end: r.window.end,
  ...areaFigures(r.value),
});
export const toSession = (r: WindowResult<string, number>): UserSession => ({
  user: r.key,
  start: r.window.start,
  end: r.window.end,
  events: r.value,
});

/** Where a pipeline's committed results live: `commit-<checkpoint id>` in its own IndexedDB store. */
export function resultStore<T>(pipelineId: string) {
  const store = createStore(`telemetry-results:${pipelineId}`, 'results');
  return {
    commit: (values: readonly T[], checkpointId: number) =>
      set(`commit-${String(checkpointId).padStart(9, '0')}`, values, store),
    /** Every committed result, in commit order. */
    all: async (): Promise<T[]> =>
      (await entries<string, T[]>(store)).sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([, v]) => v),
  };
}
