// fromWebVitals with fake web-vitals registrations injected: repeated reports of one metric instance
// are updates of it (same id, numbered, with their delta), so a windowed sum of deltas stays exact
// whichever window each report falls in. The real library runs in test/browser/telemetry-vitals.test.ts.
import { firstValueFrom, toArray, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Metric } from 'web-vitals';
import {
  count,
  filterValues,
  fromIterable,
  InvalidOptionError,
  keyBy,
  monotonousTimestamps,
  sum,
  toValues,
  tumblingEventTimeWindows,
  windowBy,
  withEventTimeBatches,
} from '../../src/index.js';
import { fromWebVitals, type VitalUpdate, type WebVitalsLibrary } from '../../src/web-vitals/index.js';

type Report = (metric: Metric) => void;

/** A fake web-vitals: records each registration, and lets the test report metrics through it. */
function fakeLibrary() {
  const callbacks = new Map<string, Report[]>();
  const options: unknown[] = [];
  const on = (name: string) => (report: Report, opts?: unknown) => {
    callbacks.set(name, [...(callbacks.get(name) ?? []), report]);
    options.push(opts);
  };
  const library = {
    onLCP: on('LCP'),
    onINP: on('INP'),
    onCLS: on('CLS'),
    onFCP: on('FCP'),
    onTTFB: on('TTFB'),
  } as unknown as WebVitalsLibrary;
  const report = (name: Metric['name'], id: string, value: number, delta: number, extra: object = {}) => {
    for (const cb of callbacks.get(name) ?? []) {
      cb({ name, id, value, delta, rating: 'good', entries: [], navigationType: 'navigate', ...extra } as Metric);
    }
  };
  return { library, report, callbacks, options };
}

/** A scheduler whose `now()` the test sets: the reports' event time. */
function clock(start: number) {
  const c = {
    t: start,
    scheduler: {
      now: () => c.t,
      schedule: () => {
        throw new Error('not used');
      },
    } as unknown as SchedulerLike,
  };
  return c;
}

describe('fromWebVitals', () => {
  it('registers each asked metric once with reportAllChanges, and turns repeated reports of an id into numbered updates', () => {
    const fake = fakeLibrary();
    const time = clock(1_000);
    const seen: VitalUpdate[] = [];
    const sub = fromWebVitals({
      metrics: ['CLS', 'LCP'],
      reportAllChanges: true,
      library: fake.library,
      scheduler: time.scheduler,
    }).subscribe((v) => seen.push(v));
    expect([...fake.callbacks.keys()].sort()).toEqual(['CLS', 'LCP']);
    expect(fake.options).toEqual([{ reportAllChanges: true }, { reportAllChanges: true }]);

    fake.report('CLS', 'v5-1', 0.05, 0.05);
    time.t = 2_000;
    fake.report('CLS', 'v5-1', 0.12, 0.07);
    fake.report('LCP', 'v5-2', 900, 900);
    time.t = 3_500;
    fake.report('CLS', 'v5-1', 0.2, 0.08);
    sub.unsubscribe();
    fake.report('CLS', 'v5-1', 0.3, 0.1); // after unsubscribe: ignored (web-vitals cannot unregister)

    expect(seen.map((v) => [v.name, v.id, v.update, v.value, v.delta, v.at])).toEqual([
      ['CLS', 'v5-1', 0, 0.05, 0.05, 1_000],
      ['CLS', 'v5-1', 1, 0.12, 0.07, 2_000],
      ['LCP', 'v5-2', 0, 900, 900, 2_000],
      ['CLS', 'v5-1', 2, 0.2, 0.08, 3_500],
    ]);
    expect(seen[0]).not.toHaveProperty('attribution');
  });

  it('a windowed sum of deltas equals the final values, and counting update 0 counts each metric once, across windows', async () => {
    const fake = fakeLibrary();
    const time = clock(0);
    const seen: VitalUpdate[] = [];
    fromWebVitals({ library: fake.library, scheduler: time.scheduler }).subscribe((v) => seen.push(v));
    // Two CLS instances (a bfcache restore starts a new id), reported across three 1 s windows.
    const plan: [number, string, number][] = [
      [100, 'a', 0.1],
      [900, 'a', 0.15],
      [1_200, 'a', 0.4],
      [1_300, 'b', 0.05],
      [2_500, 'b', 0.25],
      [2_600, 'a', 0.5],
    ];
    const last = new Map<string, number>();
    for (const [at, id, value] of plan) {
      time.t = at;
      fake.report('CLS', id, value, value - (last.get(id) ?? 0));
      last.set(id, value);
    }
    const perWindow = (aggregate: 'sum' | 'count') =>
      firstValueFrom(
        fromIterable(seen, { batchSize: 2 }).pipe(
          withEventTimeBatches({
            timestamp: (v: VitalUpdate) => v.at,
            watermarks: monotonousTimestamps<VitalUpdate>().onEveryBatch(),
          }),
          filterValues((v) => aggregate === 'sum' || v.update === 0),
          keyBy((v) => v.name),
          windowBy(tumblingEventTimeWindows(1_000)).aggregate(
            aggregate === 'sum' ? sum((v: VitalUpdate) => v.delta) : count(),
          ),
          toValues(),
          toArray(),
        ),
      );
    const sums = await perWindow('sum');
    expect(sums.map((r) => [r.window.start, Math.round(r.value * 1_000) / 1_000])).toEqual([
      [0, 0.15],
      [1_000, 0.3],
      [2_000, 0.3],
    ]);
    const total = sums.reduce((s, r) => s + r.value, 0);
    expect(total).toBeCloseTo(0.5 + 0.25, 10); // the final values of a and b, each once
    const counts = await perWindow('count');
    expect(counts.map((r) => [r.window.start, r.value])).toEqual([
      [0, 1],
      [1_000, 1],
    ]);
  });

  it('passes attribution through only when asked', () => {
    const fake = fakeLibrary();
    const withIt: VitalUpdate[] = [];
    const without: VitalUpdate[] = [];
    fromWebVitals({ attribution: true, library: fake.library }).subscribe((v) => withIt.push(v));
    fromWebVitals({ library: fake.library }).subscribe((v) => without.push(v));
    fake.report('INP', 'i1', 120, 120, { attribution: { interactionTarget: '#buy', interactionType: 'pointer' } });
    expect(withIt[0]?.attribution).toEqual({ interactionTarget: '#buy', interactionType: 'pointer' });
    expect(without[0]).not.toHaveProperty('attribution');
  });

  it('loads the real web-vitals on subscribe when no library is injected; outside a page its failure reaches the subscriber', async () => {
    const error = await new Promise<unknown>((resolve) => {
      fromWebVitals({ metrics: ['TTFB'] }).subscribe({ error: resolve, complete: () => resolve('completed') });
    });
    expect(String(error)).toMatch(/ReferenceError: document is not defined/);
  });

  it('refuses bad options with an InvalidOptionError naming the option', () => {
    const fake = fakeLibrary();
    expect(() => fromWebVitals({ metrics: [] })).toThrow(InvalidOptionError);
    expect(() => fromWebVitals({ metrics: ['FID' as 'LCP'] })).toThrow(/metrics.*FID.*not a web vital/s);
    expect(() => fromWebVitals({ attribution: 'yes' as unknown as boolean })).toThrow(/attribution/);
    expect(() => fromWebVitals({ reportAllChanges: 1 as unknown as boolean })).toThrow(/reportAllChanges/);
    expect(() =>
      fromWebVitals({ library: { ...fake.library, onINP: undefined } as unknown as WebVitalsLibrary }),
    ).toThrow(/library\.onINP/);
  });
});
