/**
 * A DDSketch (Masson, Rim and Lee, "DDSketch: a fast and fully-mergeable quantile sketch with
 * relative-error guarantees", VLDB 2019) in plain data: the accumulator of `quantiles`.
 *
 * Each value v > 0 is counted in bucket `ceil(log_γ(v))`, γ = (1 + α) / (1 − α); a bucket's
 * representative `2γ^k / (1 + γ)` is within relative error α of every value in it. Negative values
 * are counted by magnitude in a second store; values too close to 0 for a bucket are counted as 0.
 * Buckets, logarithm and representative are computed exactly as `@datadog/sketches-js`'s
 * `LogarithmicMapping` (used by rxflink 0.1), so a snapshot taken then restores to the same buckets.
 */
import { InvalidOptionError } from '../core/errors.js';

/** One sign's buckets: `counts[i]` is the count of bucket `offset + i`. */
export interface SketchStoreData {
  offset: number;
  counts: number[];
}

/** A `QuantileSketch` as plain data, for snapshots (`QuantileSketch.toData`/`fromData`). */
export interface QuantileSketchData {
  relativeAccuracy: number;
  positive: SketchStoreData;
  negative: SketchStoreData;
  zeroCount: number;
  count: number;
  min: number;
  max: number;
  sum: number;
}

/** The smallest magnitude given a bucket (2^-1023, as sketches-js): anything smaller counts as 0. */
const MIN_INDEXABLE = 2 ** -1023;

/**
 * A mergeable quantile sketch with relative accuracy α: the value it reports for quantile q is
 * within α·|x| of x, the element of rank ⌊q·(count − 1)⌋ in sorted order.
 *
 * @example
 * ```ts
 * const sketch = new QuantileSketch(0.01);
 * for (const ms of [12, 15, 11, 230, 14]) sketch.add(ms);
 * sketch.quantile(0.5); // 14, within 1%
 * ```
 */
export class QuantileSketch {
  readonly relativeAccuracy: number;
  #count = 0;
  #min = Infinity;
  #max = -Infinity;
  #sum = 0;
  #zeroCount = 0;
  #positive: SketchStoreData = { offset: 0, counts: [] };
  #negative: SketchStoreData = { offset: 0, counts: [] };
  readonly #multiplier: number;
  readonly #gamma: number;

  constructor(relativeAccuracy: number) {
    if (typeof relativeAccuracy !== 'number' || !(relativeAccuracy > 0 && relativeAccuracy < 1)) {
      throw new InvalidOptionError(
        'quantiles relativeAccuracy',
        relativeAccuracy,
        'must be a number between 0 and 1 (exclusive)',
      );
    }
    this.relativeAccuracy = relativeAccuracy;
    // γ − 1 computed directly, and log1p of it: log(γ) loses digits when α is small.
    const gammaMinusOne = (2 * relativeAccuracy) / (1 - relativeAccuracy);
    this.#gamma = 1 + gammaMinusOne;
    this.#multiplier = (1 / Math.log1p(gammaMinusOne)) * Math.LN2;
  }

  /** How many values were counted. */
  get count(): number {
    return this.#count;
  }
  /** The smallest value counted (Infinity when none). */
  get min(): number {
    return this.#min;
  }
  /** The largest value counted (-Infinity when none). */
  get max(): number {
    return this.#max;
  }
  /** The sum of the values counted. */
  get sum(): number {
    return this.#sum;
  }

  /** Counts a value. A value that is not a finite number is refused: it has no bucket. */
  add(input: number): void {
    // -0 counts as 0 (and stays 0 through JSON): `+ 0` turns -0 into +0 and leaves the rest alone.
    const value = input + 0;
    if (!Number.isFinite(value))
      throw new InvalidOptionError('quantiles value', input, 'must be a finite number (check the select function)');
    if (value > MIN_INDEXABLE) addToStore(this.#positive, this.#key(value), 1);
    else if (value < -MIN_INDEXABLE) addToStore(this.#negative, this.#key(-value), 1);
    else this.#zeroCount++;
    this.#count++;
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /** The approximate value at quantile `q` (0 to 1), or NaN when nothing was counted. */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1) || this.count === 0) return NaN;
    const rank = q * (this.count - 1);
    const negatives = totalOf(this.#negative);
    if (rank < negatives) {
      // The negative store is ordered by magnitude: the element of rank ⌊r⌋ from the bottom is the
      // one of rank n − 1 − ⌊r⌋ there. Taken in integers: n − 1 − r in floating point rounds to the
      // next element when r is within an ulp below an integer (q = 1 − 2⁻⁵³ over two values).
      return -this.#value(keyAtRank(this.#negative, negatives - 1 - Math.floor(rank), true));
    }
    if (rank < negatives + this.#zeroCount) return 0;
    return this.#value(keyAtRank(this.#positive, rank - negatives - this.#zeroCount, true));
  }

  /** Adds every count of `other` (same relative accuracy) to this sketch. */
  merge(other: QuantileSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      throw new InvalidOptionError(
        'quantiles relativeAccuracy',
        other.relativeAccuracy,
        `cannot merge a sketch of relative accuracy ${other.relativeAccuracy} into one of ${this.relativeAccuracy}`,
      );
    }
    mergeStore(this.#positive, other.#positive);
    mergeStore(this.#negative, other.#negative);
    this.#zeroCount += other.#zeroCount;
    this.#count += other.#count;
    this.#sum += other.#sum;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
  }

  /** The sketch as plain data (copied, and trimmed of empty buckets at both ends). */
  toData(): QuantileSketchData {
    return {
      relativeAccuracy: this.relativeAccuracy,
      positive: trimmed(this.#positive),
      negative: trimmed(this.#negative),
      zeroCount: this.#zeroCount,
      count: this.#count,
      min: this.#min,
      max: this.#max,
      sum: this.#sum,
    };
  }

  /** Rebuilds a sketch from `toData()`'s output (also after a trip through JSON). */
  static fromData(data: QuantileSketchData): QuantileSketch {
    const sketch = new QuantileSketch(data.relativeAccuracy);
    sketch.#positive = { offset: data.positive.offset, counts: data.positive.counts.slice() };
    sketch.#negative = { offset: data.negative.offset, counts: data.negative.counts.slice() };
    sketch.#zeroCount = data.zeroCount;
    sketch.#count = data.count;
    // An empty sketch's ±Infinity went through JSON as null: take them from the count instead.
    sketch.#min = data.count > 0 ? data.min : Infinity;
    sketch.#max = data.count > 0 ? data.max : -Infinity;
    sketch.#sum = data.sum;
    return sketch;
  }

  #key(magnitude: number): number {
    return Math.ceil(Math.log2(magnitude) * this.#multiplier);
  }

  #value(key: number): number {
    return 2 ** (key / this.#multiplier) * (2 / (1 + this.#gamma));
  }
}

function addToStore(store: SketchStoreData, key: number, n: number): void {
  const { counts } = store;
  if (counts.length === 0) store.offset = key;
  if (key < store.offset) {
    // Grow downwards by at least the current length, so that a descending run of values costs
    // amortised O(1) per new bucket instead of one copy of the array per bucket.
    const grow = Math.max(store.offset - key, counts.length);
    store.counts = new Array<number>(grow).fill(0).concat(counts);
    store.offset -= grow;
  }
  const i = key - store.offset;
  while (store.counts.length <= i) store.counts.push(0);
  store.counts[i]! += n;
}

function totalOf(store: SketchStoreData): number {
  let n = 0;
  for (const c of store.counts) n += c;
  return n;
}

/**
 * The key of the bucket holding rank `rank` (fractional) in ascending key order: the first bucket
 * whose running count passes `rank` (`lower`), or reaches `rank + 1`: sketches-js's choice for
 * each store, kept so that results match it.
 */
function keyAtRank(store: SketchStoreData, rank: number, lower: boolean): number {
  let running = 0;
  const { counts } = store;
  for (let i = 0; i < counts.length; i++) {
    running += counts[i]!;
    if (lower ? running > rank : running >= rank + 1) return store.offset + i;
  }
  return store.offset + counts.length - 1;
}

function mergeStore(into: SketchStoreData, from: SketchStoreData): void {
  const { counts, offset } = from;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! > 0) addToStore(into, offset + i, counts[i]!);
  }
}

function trimmed(store: SketchStoreData): SketchStoreData {
  const { counts } = store;
  let first = 0;
  let end = counts.length;
  while (first < end && counts[first] === 0) first++;
  while (end > first && counts[end - 1] === 0) end--;
  return { offset: first < end ? store.offset + first : 0, counts: counts.slice(first, end) };
}

/** How rxflink 0.1 exported a quantiles accumulator: the fields of a sketches-js DDSketch. */
interface SketchesJsData {
  store: { bins: number[]; offset: number };
  negativeStore: { bins: number[]; offset: number };
  zeroCount: number;
  count: number;
  min: number;
  max: number;
  sum: number;
}

/**
 * Reads a quantiles accumulator from a snapshot: this module's `QuantileSketchData`, or the
 * sketches-js fields rxflink 0.1 stored (same bucket keys, so the counts carry over unchanged).
 */
export function sketchFromSnapshot(data: unknown, relativeAccuracy: number): QuantileSketch {
  if (typeof data === 'object' && data !== null && 'store' in data) {
    const old = data as SketchesJsData;
    return QuantileSketch.fromData({
      relativeAccuracy,
      positive: { offset: old.store.offset, counts: old.store.bins },
      negative: { offset: old.negativeStore.offset, counts: old.negativeStore.bins },
      zeroCount: old.zeroCount,
      count: old.count,
      min: old.min,
      max: old.max,
      sum: old.sum,
    });
  }
  return QuantileSketch.fromData(data as QuantileSketchData);
}
