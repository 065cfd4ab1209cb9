/**
 * Incremental aggregation (Flink's `AggregateFunction`) and the built-in aggregates.
 */
import { InvalidOptionError } from '../core/errors.js';
import { QuantileSketch, sketchFromSnapshot, type QuantileSketchData } from './quantile-sketch.js';
import { copyState } from '../state/serializable.js';
import { StateExportError } from './errors.js';
import { combinedResults } from './combined-results.js';
import { BUILTIN, builtin, countColumn, sumColumn } from './builtin-aggregates.js';

/**
 * An incremental aggregate: O(1) state per window (Flink's `AggregateFunction`, with `merge`, which
 * session windows need). Named apart from keyed state's AggregateFunction, which has no `merge`;
 * every WindowAggregateFunction is also one of those.
 *
 * As in Flink, `add` and `merge` may mutate the accumulator they receive and return it: the window
 * operator owns every accumulator and never shares one between windows, so a mutable accumulator
 * (e.g. `{ count, sum }` updated in place) avoids an allocation per element. Accumulators are
 * exported with snapshots: keep them plain data (numbers, strings, arrays, plain objects), or give
 * `exportAccumulator`/`importAccumulator` to convert them.
 *
 * @example
 * ```ts
 * const meanTemp: WindowAggregateFunction<Reading, { n: number; total: number }, number> = {
 *   createAccumulator: () => ({ n: 0, total: 0 }),
 *   add: (r, acc) => { acc.n++; acc.total += r.celsius; return acc; },
 *   getResult: (acc) => acc.total / acc.n,
 *   merge: (a, b) => { a.n += b.n; a.total += b.total; return a; },
 * };
 * ```
 */
export interface WindowAggregateFunction<IN, ACC, OUT> {
  /** A new, empty accumulator: for the first element of a window, or with an evictor at each firing. */
  createAccumulator(): ACC;
  /** Adds an element of the window to `accumulator` and returns the accumulator (may mutate and return it). */
  add(value: IN, accumulator: ACC): ACC;
  /** The window's result from its accumulator; called each time the window fires. */
  getResult(accumulator: ACC): OUT;
  /** Merges two accumulators (session windows merging); may mutate and return `a`. */
  merge(a: ACC, b: ACC): ACC;
  /** Converts an accumulator to plain data for a snapshot; the default deep-copies plain data. */
  exportAccumulator?(accumulator: ACC): unknown;
  /** Rebuilds an accumulator from `exportAccumulator`'s data. */
  importAccumulator?(data: unknown): ACC;
}

const identity = (x: unknown): number => x as number;

/** The names and parts of each `combine`, by function object. */
export const COMBINED = new WeakMap<
  object,
  { readonly names: readonly string[]; readonly parts: readonly object[]; readonly results: typeof combinedResults }
>();

const constantStart = (fn: object): boolean => {
  const kind = BUILTIN.get(fn)?.kind;
  return kind !== undefined && kind !== 'average';
};

/**
 * Counts the elements of each window.
 *
 * @example
 * ```ts
 * clicks$.pipe(
 *   withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((c) => c.page),
 *   window(tumblingEventTimeWindows(60_000)).aggregate(count()),
 * );
 * ```
 */
export function count(): WindowAggregateFunction<unknown, number, number> {
  return COUNT;
}
const COUNT: WindowAggregateFunction<unknown, number, number> = /* @__PURE__ */ builtin(
  Object.freeze({
    createAccumulator: () => 0,
    add: (_v: unknown, acc: number) => acc + 1,
    getResult: (acc: number) => acc,
    merge: (a: number, b: number) => a + b,
  }),
  'count',
  identity,
  [countColumn],
);

/**
 * Sums a number taken from each element (the element itself by default).
 *
 * @example
 * ```ts
 * orders$.pipe(
 *   withEventTime({ timestamp: (o) => o.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((o) => o.shop),
 *   window(tumblingEventTimeWindows(3_600_000)).aggregate(sum((o) => o.total)),
 * );
 * ```
 */
export function sum<T = number>(select: (value: T) => number = identity): WindowAggregateFunction<T, number, number> {
  return builtin(
    Object.freeze({
      createAccumulator: () => 0,
      add: (v: T, acc: number) => acc + select(v),
      getResult: (acc: number) => acc,
      merge: (a: number, b: number) => a + b,
    }),
    'sum',
    select as (value: never) => number,
    [sumColumn],
  );
}

/**
 * The smallest number taken from the elements of each window.
 *
 * @example
 * ```ts
 * window(tumblingEventTimeWindows(60_000)).aggregate(min((r: Reading) => r.celsius));
 * ```
 */
export function min<T = number>(select: (value: T) => number = identity): WindowAggregateFunction<T, number, number> {
  return builtin(
    Object.freeze({
      createAccumulator: () => Infinity,
      add: (v: T, acc: number) => Math.min(acc, select(v)),
      getResult: (acc: number) => acc,
      merge: (a: number, b: number) => Math.min(a, b),
    }),
    'min',
    select as (value: never) => number,
    [
      (select) => [
        (c, s, v) => (c[s] = Math.min(Infinity, select(v))),
        (c, s, v) => (c[s] = Math.min(c[s]!, select(v))),
      ],
    ],
  );
}

/**
 * The largest number taken from the elements of each window.
 *
 * @example
 * ```ts
 * window(tumblingEventTimeWindows(60_000)).aggregate(max((r: Reading) => r.celsius));
 * ```
 */
export function max<T = number>(select: (value: T) => number = identity): WindowAggregateFunction<T, number, number> {
  return builtin(
    Object.freeze({
      createAccumulator: () => -Infinity,
      add: (v: T, acc: number) => Math.max(acc, select(v)),
      getResult: (acc: number) => acc,
      merge: (a: number, b: number) => Math.max(a, b),
    }),
    'max',
    select as (value: never) => number,
    [
      (select) => [
        (c, s, v) => (c[s] = Math.max(-Infinity, select(v))),
        (c, s, v) => (c[s] = Math.max(c[s]!, select(v))),
      ],
    ],
  );
}

/** Accumulator of `average`: updated in place. */
export interface AverageAccumulator {
  count: number;
  sum: number;
}

/**
 * The mean of a number taken from the elements of each window.
 *
 * @example
 * ```ts
 * window(slidingEventTimeWindows(60_000, 10_000)).aggregate(average((r: Reading) => r.celsius));
 * ```
 */
export function average<T = number>(
  select: (value: T) => number = identity,
): WindowAggregateFunction<T, AverageAccumulator, number> {
  return builtin(
    Object.freeze({
      createAccumulator: (): AverageAccumulator => ({ count: 0, sum: 0 }),
      add: (v: T, acc: AverageAccumulator) => {
        acc.count++;
        acc.sum += select(v);
        return acc;
      },
      getResult: (acc: AverageAccumulator) => acc.sum / acc.count,
      merge: (a: AverageAccumulator, b: AverageAccumulator) => {
        a.count += b.count;
        a.sum += b.sum;
        return a;
      },
    }),
    'average',
    select as (value: never) => number,
    [countColumn, sumColumn],
  );
}

/** Result of `quantiles`. */
export interface QuantileSummary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** The value at each requested quantile, in the order of the `quantiles` option. */
  readonly quantiles: readonly { readonly quantile: number; readonly value: number }[];
}

/**
 * Approximate quantiles (p50, p95, p99 and any others asked for) of a number taken from each
 * element, with a DDSketch (`QuantileSketch`): relative error `relativeAccuracy` (default 1%) on
 * every quantile, memory that grows with the log of the value range, not with the count, and
 * mergeable, so it works with sessions. A value that is not a finite number fails the stream with
 * an `InvalidOptionError` naming it.
 *
 * @example
 * ```ts
 * requests$.pipe(
 *   withEventTime({ timestamp: (r) => r.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((r) => r.route),
 *   window(tumblingEventTimeWindows(10_000)).aggregate(quantiles((r) => r.latencyMs)),
 * );
 * ```
 */
export function quantiles<T = number>(
  select: (value: T) => number = identity,
  options: { quantiles?: readonly number[]; relativeAccuracy?: number } = {},
): WindowAggregateFunction<T, QuantileSketch, QuantileSummary> {
  const qs = options.quantiles ?? [0.5, 0.95, 0.99];
  for (const q of qs) {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1))
      throw new InvalidOptionError('quantiles quantiles', q, 'must be numbers from 0 to 1');
  }
  const relativeAccuracy = options.relativeAccuracy ?? 0.01;
  new QuantileSketch(relativeAccuracy); // checks the option now, when the operator is built
  return Object.freeze({
    createAccumulator: () => new QuantileSketch(relativeAccuracy),
    add: (v: T, sketch: QuantileSketch) => {
      sketch.add(select(v));
      return sketch;
    },
    getResult: (sketch: QuantileSketch): QuantileSummary => ({
      count: sketch.count,
      min: sketch.min,
      max: sketch.max,
      p50: sketch.quantile(0.5),
      p95: sketch.quantile(0.95),
      p99: sketch.quantile(0.99),
      quantiles: qs.map((quantile) => ({ quantile, value: sketch.quantile(quantile) })),
    }),
    merge: (a: QuantileSketch, b: QuantileSketch) => {
      a.merge(b);
      return a;
    },
    exportAccumulator: (sketch: QuantileSketch): QuantileSketchData => sketch.toData(),
    importAccumulator: (data: unknown): QuantileSketch => sketchFromSnapshot(data, relativeAccuracy),
  });
}

/**
 * The result type of an aggregate function: what `combine` gives for each of its parts.
 *
 * @example
 * ```ts
 * type Mean = AggregateResultOf<ReturnType<typeof average>>; // number
 * ```
 */
export type AggregateResultOf<F> = F extends {
  /** The `getResult` whose return type is inferred. */
  getResult(accumulator: never): infer O;
}
  ? O
  : never;

/**
 * Runs several aggregates over the same elements in one pass and returns their results by name.
 *
 * @example
 * ```ts
 * window(tumblingEventTimeWindows(1_000)).aggregate(combine({ count: count(), sum: sum((e: Ev) => e.amount) }));
 * // -> value: { count: 12, sum: 340 }
 * ```
 */
export function combine<T, S extends Record<string, WindowAggregateFunction<T, unknown, unknown>>>(
  aggregates: S,
): WindowAggregateFunction<T, unknown[], { [N in keyof S]: AggregateResultOf<S[N]> }> {
  const names = Object.keys(aggregates);
  if (names.length === 0)
    throw new InvalidOptionError('combine aggregates', aggregates, 'must name at least one aggregate');
  const fns = names.map((n) => aggregates[n] as unknown as WindowAggregateFunction<T, unknown, unknown>);
  const n = fns.length;
  // Built-in parts start from constants: copying a prepared array beats calling every part.
  const start = fns.every(constantStart) ? fns.map((f) => f.createAccumulator()) : null;
  // The first parts get a call site each (see assignResults): one site calling several parts'
  // functions is polymorphic, and measured twice as slow per element.
  const [f0, f1, f2, f3] = fns;
  const combined = Object.freeze({
    createAccumulator: () => {
      if (start !== null) return copyStart(start);
      const acc: unknown[] = [];
      for (let i = 0; i < n; i++) acc.push(fns[i]!.createAccumulator());
      return acc;
    },
    add: (v: T, acc: unknown[]) => {
      acc[0] = f0!.add(v, acc[0]);
      if (n > 1) acc[1] = f1!.add(v, acc[1]);
      if (n > 2) acc[2] = f2!.add(v, acc[2]);
      if (n > 3) acc[3] = f3!.add(v, acc[3]);
      for (let i = 4; i < n; i++) acc[i] = fns[i]!.add(v, acc[i]);
      return acc;
    },
    getResult: (acc: unknown[]) => {
      const out: Record<string, unknown> = {};
      assignResults(out, names, fns, acc);
      return out as { [N in keyof S]: AggregateResultOf<S[N]> };
    },
    merge: (a: unknown[], b: unknown[]) => {
      for (let i = 0; i < n; i++) a[i] = fns[i]!.merge(a[i], b[i]);
      return a;
    },
    exportAccumulator: (acc: unknown[]) => acc.map((a, i) => exportAccumulator(fns[i]!, a)),
    importAccumulator: (data: unknown) => (data as unknown[]).map((d, i) => importAccumulator(fns[i]!, d)),
  });
  COMBINED.set(combined, { names, parts: fns, results: combinedResults });
  return combined;
}

/** A copy of a combined start accumulator: an array literal for the usual sizes is allocated inline, `slice` is a call. */
function copyStart(start: readonly unknown[]): unknown[] {
  switch (start.length) {
    case 1:
      return [start[0]];
    case 2:
      return [start[0], start[1]];
    case 3:
      return [start[0], start[1], start[2]];
    default:
      return start.slice();
  }
}

/**
 * `out[names[i]] = fns[i].getResult(acc[i])` for every i. The first four stores have a site each: a
 * store site that sees one property name stays monomorphic, one that sees several names goes
 * megamorphic, which measured three times slower per result.
 */
function assignResults<T>(
  out: Record<string, unknown>,
  names: readonly string[],
  fns: readonly WindowAggregateFunction<T, unknown, unknown>[],
  acc: readonly unknown[],
): void {
  const n = names.length;
  if (n > 0) out[names[0]!] = fns[0]!.getResult(acc[0]);
  if (n > 1) out[names[1]!] = fns[1]!.getResult(acc[1]);
  if (n > 2) out[names[2]!] = fns[2]!.getResult(acc[2]);
  if (n > 3) out[names[3]!] = fns[3]!.getResult(acc[3]);
  for (let i = 4; i < n; i++) out[names[i]!] = fns[i]!.getResult(acc[i]);
}

/**
 * The accumulator type of an aggregate function, to name a combined accumulator's parts.
 *
 * @example
 * ```ts
 * type Acc = AccumulatorOf<ReturnType<typeof average>>; // AverageAccumulator
 * ```
 */
export type AccumulatorOf<F> = F extends WindowAggregateFunction<never, infer A, unknown> ? A : never;

/** Exports an accumulator as plain data, deep-copied so that later in-place updates do not leak in. */
export function exportAccumulator<ACC>(fn: WindowAggregateFunction<never, ACC, unknown>, acc: ACC): unknown {
  return fn.exportAccumulator ? fn.exportAccumulator(acc) : clonePlain(acc, 'accumulator');
}

/** Rebuilds an accumulator from exported data. */
export function importAccumulator<ACC>(fn: WindowAggregateFunction<never, ACC, unknown>, data: unknown): ACC {
  return fn.importAccumulator ? fn.importAccumulator(data) : (clonePlain(data, 'accumulator') as ACC);
}

/**
 * Deep copy of plain data (primitives, arrays, plain objects, with own "__proto__" keys and null
 * prototypes kept). Anything else (a class instance, a Map, a function) cannot be exported
 * faithfully and raises a StateExportError naming `what`; a cycle raises a StateNotSerializableError
 * with its path.
 */
export function clonePlain(value: unknown, what: string): unknown {
  return copyState(
    value,
    `window ${what}`,
    (other) => {
      throw new StateExportError(what, other);
    },
    what,
  );
}
