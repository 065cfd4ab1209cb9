/**
 * Property test: the window operator against a small reference model written for this test, on
 * thousands of random out-of-order streams with random watermarks, lateness and window parameters.
 * The operator's state is exported and imported into a fresh operator at random points, which must
 * not change any output. Outputs are compared as in Flink's assertOutputEqualsSorted: watermarks in
 * place, the records between two watermarks as a sorted list.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../src/core/counters.js';
import { END_OF_STREAM, type StreamElement } from '../../src/core/elements.js';
import {
  combine,
  count,
  eventTimeSessionWindows,
  slidingEventTimeWindows,
  sum,
  tumblingEventTimeWindows,
  DROPPED_LATE,
  type WindowAssigner,
  type WindowFunction,
  type WindowResult,
} from '../../src/window/index.js';
import { harness, rec, show, windowOp, wm } from './helpers.js';

type Op = { kind: 'rec'; key: string; ts: number; v: number } | { kind: 'wm'; t: number } | { kind: 'snapshot' };

type Params =
  | { type: 'tumbling'; size: number; offset: number; lateness: number }
  | { type: 'sliding'; size: number; slide: number; offset: number; lateness: number }
  | { type: 'session'; gap: number; lateness: number };

interface MWindow {
  key: string;
  start: number;
  end: number;
  values: number[];
}

/** The reference model: a direct reading of Flink's documented semantics, no timers, no indexes. */
function model(params: Params, ops: Op[], mode: 'list' | 'agg'): { out: string[]; late: number } {
  const L = params.lateness;
  let watermark = -Infinity;
  let live: MWindow[] = [];
  const out: string[] = [];
  let late = 0;
  const render = (w: MWindow): string =>
    mode === 'list'
      ? `${w.key} [${w.start},${w.end}) ${[...w.values].sort((a, b) => a - b).join(',')} @${w.end - 1}`
      : `${w.key} [${w.start},${w.end}) ${JSON.stringify({ n: w.values.length, s: w.values.reduce((a, b) => a + b, 0) })} @${w.end - 1}`;
  const segment: string[] = [];
  const flush = (): void => {
    out.push(...segment.sort());
    segment.length = 0;
  };
  const advance = (t: number): void => {
    if (t > watermark) {
      for (const w of live) if (w.end - 1 > watermark && w.end - 1 <= t) segment.push(render(w));
      watermark = t;
      live = live.filter((w) => t !== Infinity && w.end - 1 + L > t);
    }
    flush();
    out.push(`W${t}`);
  };
  const windowsOf = (ts: number): [number, number][] => {
    if (params.type === 'tumbling') {
      const start = Math.floor((ts - params.offset) / params.size) * params.size + params.offset;
      return [[start, start + params.size]];
    }
    if (params.type === 'sliding') {
      const result: [number, number][] = [];
      let s = Math.floor((ts - params.offset) / params.slide) * params.slide + params.offset;
      for (; s + params.size > ts; s -= params.slide) result.push([s, s + params.size]);
      return result;
    }
    return [];
  };
  for (const op of ops) {
    if (op.kind === 'snapshot') continue;
    if (op.kind === 'wm') {
      advance(op.t);
      continue;
    }
    const { key, ts, v } = op;
    if (params.type === 'session') {
      const s = ts;
      const e = ts + params.gap;
      const hits = live.filter((w) => w.key === key && w.start <= e && w.end >= s);
      let target: MWindow;
      if (hits.length === 0) {
        if (e - 1 + L <= watermark) {
          if (ts + L <= watermark) late++;
          continue;
        }
        target = { key, start: s, end: e, values: [] };
        live.push(target);
      } else if (hits.length === 1 && hits[0]!.start <= s && hits[0]!.end >= e) {
        target = hits[0]!;
      } else {
        target = {
          key,
          start: Math.min(s, ...hits.map((w) => w.start)),
          end: Math.max(e, ...hits.map((w) => w.end)),
          values: hits.flatMap((w) => w.values),
        };
        live = live.filter((w) => !hits.includes(w));
        live.push(target);
      }
      target.values.push(v);
      if (target.end - 1 <= watermark) segment.push(render(target));
      continue;
    }
    let any = false;
    for (const [start, end] of windowsOf(ts)) {
      if (end - 1 + L <= watermark) continue;
      any = true;
      let w = live.find((x) => x.key === key && x.start === start);
      if (!w) {
        w = { key, start, end, values: [] };
        live.push(w);
      }
      w.values.push(v);
      if (end - 1 <= watermark) segment.push(render(w));
    }
    if (!any && ts + L <= watermark) late++;
  }
  advance(Infinity);
  return { out, late };
}

function assignerOf(p: Params): WindowAssigner<number> {
  if (p.type === 'tumbling') return tumblingEventTimeWindows(p.size, p.offset);
  if (p.type === 'sliding') return slidingEventTimeWindows(p.size, p.slide, p.offset);
  return eventTimeSessionWindows(p.gap) as WindowAssigner<number>;
}

function runOperator(p: Params, ops: Op[], mode: 'list' | 'agg'): { out: string[]; late: number } {
  const counters = new Counters();
  const fn: WindowFunction<number, unknown, string> =
    mode === 'list'
      ? { kind: 'process', process: (values, _ctx, out) => out.collect([...values].sort((a, b) => a - b).join(',')) }
      : { kind: 'aggregate', aggregate: combine({ n: count(), s: sum((x: number) => x) }) as never };
  const factory = windowOp(assignerOf(p), fn, { allowedLateness: p.lateness, counters });
  let h = harness(factory);
  const output: StreamElement<WindowResult<unknown, unknown>, unknown>[] = [];
  for (const op of ops) {
    if (op.kind === 'snapshot') {
      // Export, clone as plain data, import into a fresh operator, continue there.
      const state = structuredClone(h.operator.snapshotState!());
      output.push(...h.takeOutput());
      h = harness(factory);
      h.operator.restoreState!(state);
    } else if (op.kind === 'wm') {
      h.process(wm(op.t));
    } else {
      h.process(rec(op.v, op.ts, op.key));
    }
  }
  h.process(END_OF_STREAM);
  output.push(...h.takeOutput());
  return { out: show(output), late: counters.get(DROPPED_LATE) };
}

const paramsArb: fc.Arbitrary<Params> = fc.oneof(
  fc.integer({ min: 1, max: 50 }).chain((size) =>
    fc.record({
      type: fc.constant('tumbling' as const),
      size: fc.constant(size),
      offset: fc.integer({ min: -(size - 1), max: size - 1 }),
      lateness: fc.integer({ min: 0, max: 60 }),
    }),
  ),
  fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 30 })).chain(([size, slide]) =>
    fc.record({
      type: fc.constant('sliding' as const),
      size: fc.constant(size),
      slide: fc.constant(slide),
      offset: fc.integer({ min: -(slide - 1), max: slide - 1 }),
      lateness: fc.integer({ min: 0, max: 60 }),
    }),
  ),
  fc.record({
    type: fc.constant('session' as const),
    gap: fc.integer({ min: 1, max: 40 }),
    lateness: fc.integer({ min: 0, max: 60 }),
  }),
);

const opsArb: fc.Arbitrary<Op[]> = fc
  .array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('rec' as const),
          key: fc.constantFrom('a', 'b', 'c'),
          ts: fc.integer({ min: -120, max: 300 }),
          v: fc.constant(0),
        }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('wm' as const), t: fc.integer({ min: 1, max: 40 }) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'snapshot' as const }) },
    ),
    { maxLength: 60 },
  )
  .map((ops) => {
    // Watermarks increase: each wm op carries a positive step from the previous watermark (start -130).
    let current = -130;
    let next = 1;
    return ops.map((op): Op => {
      if (op.kind === 'wm') {
        current += op.t;
        return { kind: 'wm', t: current };
      }
      if (op.kind === 'rec') return { ...op, v: next++ }; // distinct values: the list mode checks identity
      return op;
    });
  });

describe('window operator vs reference model (fast-check)', () => {
  for (const mode of ['list', 'agg'] as const) {
    it(`random out-of-order streams, watermarks, lateness; snapshot/restore anywhere (${mode === 'list' ? 'process function' : 'incremental aggregate'})`, () => {
      fc.assert(
        fc.property(paramsArb, opsArb, (params, ops) => {
          const expected = model(params, ops, mode);
          const actual = runOperator(params, ops, mode);
          expect(actual.out).toEqual(expected.out);
          expect(actual.late).toBe(expected.late);
        }),
        { numRuns: 2000 },
      );
    });
  }
});
