// Type tests of the README's pipelines, checked by `npm run typecheck` (tsconfig.test.json): what a
// user writes without type arguments must infer the input, key and result types from upstream.
// (expectTypeOf does nothing at run time; the `it`s only make vitest list them.)
import { describe, expectTypeOf, it } from 'vitest';
import { from, type Observable } from 'rxjs';
import {
  average,
  boundedOutOfOrderness,
  combine,
  count,
  countWindow,
  eventTimeSessionWindows,
  type Collector,
  keyBy,
  quantiles,
  toRecords,
  toValues,
  tumblingEventTimeWindows,
  window,
  windowAll,
  windowBy,
  withEventTime,
  type QuantileSummary,
  type StreamRecord,
  type WindowResult,
} from '../../src/index.js';

interface Click {
  page: string;
  at: number;
  ms: number;
  user: number;
}
const clicks$: Observable<Click> = from<Click[]>([]);
const timed = withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(2_000) });

describe('types: window(...) infers its input and key from upstream inside pipe', () => {
  it('the README first pipeline: count per page', () => {
    const clicksPerPage$ = clicks$.pipe(
      timed,
      keyBy((c: Click) => c.page),
      window(tumblingEventTimeWindows(60_000)).aggregate(count()),
      toValues(),
    );
    expectTypeOf(clicksPerPage$).toEqualTypeOf<Observable<WindowResult<string, number>>>();
  });

  it('quantiles((c) => c.ms): the element type reaches an aggregate written without annotations', () => {
    const latency$ = clicks$.pipe(
      timed,
      keyBy((c) => c.user),
      window(tumblingEventTimeWindows(10_000)).aggregate(quantiles((c) => c.ms)),
      toValues(),
    );
    expectTypeOf(latency$).toEqualTypeOf<Observable<WindowResult<number, QuantileSummary>>>();
  });

  it('combine, process, reduce and the alias windowBy', () => {
    const stats$ = clicks$.pipe(
      timed,
      keyBy((c) => c.page),
      windowBy(eventTimeSessionWindows(30_000)).aggregate(combine({ n: count(), mean: average((c: Click) => c.ms) })),
      toRecords(),
    );
    expectTypeOf(stats$).toEqualTypeOf<
      Observable<StreamRecord<WindowResult<string, { n: number; mean: number }>, string>>
    >();

    const pages$ = clicks$.pipe(
      timed,
      keyBy((c) => c.page),
      // The result type comes from the collector: it is the one thing to annotate.
      window(tumblingEventTimeWindows(1_000)).process((elements, ctx, out: Collector<number>) => {
        expectTypeOf(elements).toEqualTypeOf<readonly Click[]>();
        expectTypeOf(ctx.key).toEqualTypeOf<string>();
        out.collect(elements.length);
      }),
      toValues(),
    );
    expectTypeOf(pages$).toEqualTypeOf<Observable<WindowResult<string, number>>>();

    const slowest$ = clicks$.pipe(
      timed,
      keyBy((c) => c.page),
      countWindow(10).reduce((a, b) => (a.ms >= b.ms ? a : b)),
      toValues(),
    );
    expectTypeOf(slowest$).toEqualTypeOf<Observable<WindowResult<string, Click>>>();
  });

  it('windowAll keeps a stream without keys', () => {
    const all$ = clicks$.pipe(
      timed,
      windowAll(tumblingEventTimeWindows(1_000)).aggregate(quantiles((c) => c.ms)),
      toValues(),
    );
    expectTypeOf(all$).toEqualTypeOf<Observable<WindowResult<undefined, QuantileSummary>>>();
  });

  it('an aggregate of another element type is refused', () => {
    clicks$.pipe(
      timed,
      // @ts-expect-error: the window below averages strings, the elements are Clicks (TypeScript reports it here)
      keyBy((c) => c.page),
      window(tumblingEventTimeWindows(1_000)).aggregate(average((s: string) => s.length)),
    );
  });
});
