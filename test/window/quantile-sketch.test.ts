// The quantiles sketch against exact quantiles: DDSketch's guarantee is that the value reported for
// quantile q is within relativeAccuracy of the element of rank floor(q * (n - 1)) in sorted order.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { InvalidOptionError, QuantileSketch, quantiles } from '../../src/index.js';

/** The reference model: the exact element of the rank the sketch estimates. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** |reported - exact| <= alpha * |exact| (plus a rounding margin of the logarithm and power). */
function withinAccuracy(reported: number, exact: number, alpha: number): boolean {
  return Math.abs(reported - exact) <= alpha * Math.abs(exact) * (1 + 1e-9) + 1e-300;
}

// Mostly realistic magnitudes, sometimes extreme ones (a sketch's size grows with the log of the range).
const value = fc.oneof(
  { arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }), weight: 4 },
  { arbitrary: fc.integer({ min: -1000, max: 1000 }), weight: 4 },
  { arbitrary: fc.constantFrom(0, -0, 1, -1, 1e-9, -2.5e-7), weight: 2 },
  { arbitrary: fc.constantFrom(1e-300, -1e-300, 1e300, -1e300), weight: 1 },
);
const quantile = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 0.95, 0.99, 1));
const accuracy = fc.constantFrom(0.005, 0.01, 0.02, 0.05, 0.2, 0.5);

function sketchOf(values: readonly number[], alpha: number): QuantileSketch {
  const sketch = new QuantileSketch(alpha);
  for (const v of values) sketch.add(v);
  return sketch;
}

describe('QuantileSketch', () => {
  it('property: every quantile is within relativeAccuracy of the exact one', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 300 }),
        fc.array(quantile, { minLength: 1, maxLength: 8 }),
        accuracy,
        (values, qs, alpha) => {
          const sketch = sketchOf(values, alpha);
          const sorted = [...values].sort((a, b) => a - b);
          for (const q of qs) {
            const reported = sketch.quantile(q);
            if (!withinAccuracy(reported, exactQuantile(sorted, q), alpha)) return false;
          }
          return sketch.count === values.length && sketch.min === sorted[0] && sketch.max === sorted[sorted.length - 1];
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a quantile an ulp below 1 over negative values reports the rank below, not the top (fast-check seed -1006504922: [-1, -2] at q = 1 − 2⁻⁵³ gave -1)', () => {
    const sketch = sketchOf([-1, -2], 0.005);
    expect(withinAccuracy(sketch.quantile(0.9999999999999999), -2, 0.005)).toBe(true);
    expect(withinAccuracy(sketch.quantile(1), -1, 0.005)).toBe(true);
    expect(withinAccuracy(sketch.quantile(0), -2, 0.005)).toBe(true);
  });

  it('property: merging sketches of parts equals one sketch of the whole (negative values included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(value, { maxLength: 60 }), { minLength: 1, maxLength: 5 }),
        accuracy,
        (parts, alpha) => {
          const whole = sketchOf(parts.flat(), alpha);
          const merged = new QuantileSketch(alpha);
          for (const part of parts) merged.merge(sketchOf(part, alpha));
          // Sums differ with the order of additions (1e300 + 1 - 1e300); everything else is exact.
          const { sum: mergedSum, ...mergedData } = merged.toData();
          const { sum: wholeSum, ...wholeData } = whole.toData();
          expect(mergedData).toEqual(wholeData);
          const magnitude = parts.flat().reduce((a, v) => a + Math.abs(v), 0);
          expect(Math.abs(mergedSum - wholeSum)).toBeLessThanOrEqual(magnitude * 1e-12);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('property: toData is plain JSON data and fromData restores the same quantiles', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 200 }), accuracy, (values, alpha) => {
        const sketch = sketchOf(values, alpha);
        const restored = QuantileSketch.fromData(JSON.parse(JSON.stringify(sketch.toData())));
        for (const q of [0, 0.25, 0.5, 0.9, 1]) expect(restored.quantile(q)).toEqual(sketch.quantile(q));
        restored.add(1);
        sketch.add(1);
        expect(restored.toData()).toEqual(sketch.toData());
      }),
      { numRuns: 200 },
    );
  });

  it('a descending run of values over a wide range grows the buckets without a copy per value', () => {
    const sketch = new QuantileSketch(0.01);
    for (let v = 1e12; v > 1e-6; v /= 1.01) sketch.add(v);
    const data = sketch.toData();
    expect(data.positive.counts.every((c) => c > 0)).toBe(true);
    expect(data.positive.counts.reduce((a, b) => a + b, 0)).toBe(sketch.count);
  });

  it('an empty sketch reports NaN; a value that is not a finite number fails with InvalidOptionError naming it', () => {
    const sketch = new QuantileSketch(0.01);
    expect(sketch.quantile(0.5)).toBeNaN();
    expect(() => sketch.add(Number.NaN)).toThrow(InvalidOptionError);
    expect(() => sketch.add(Infinity)).toThrow(/Invalid option quantiles value: Infinity must be a finite number/);
    expect(sketch.count).toBe(0);
  });

  it('merging sketches of different accuracy fails with InvalidOptionError', () => {
    expect(() => new QuantileSketch(0.01).merge(new QuantileSketch(0.02))).toThrow(InvalidOptionError);
  });
});

// The fixture holds, for each case, the values, what rxflink 0.1.0's quantiles() exportAccumulator
// wrote for them (the fields of a sketches-js DDSketch) and the result it reported.
describe('quantiles: snapshots of rxflink 0.1 (sketches-js DDSketch fields) restore to the same results', () => {
  const fixtures = JSON.parse(
    readFileSync(new URL('fixtures/quantiles-ddsketch-0.1.0.json', import.meta.url), 'utf8'),
  ) as Record<
    string,
    {
      relativeAccuracy: number;
      quantiles: number[];
      values: number[];
      exported: unknown;
      result: unknown;
    }
  >;
  for (const [name, f] of Object.entries(fixtures)) {
    it(name, () => {
      const agg = quantiles<number>((v) => v, { quantiles: f.quantiles, relativeAccuracy: f.relativeAccuracy });
      const restored = agg.importAccumulator!(f.exported);
      if (f.result !== null) expect(agg.getResult(restored)).toEqual(f.result);
      // The buckets are the ones a new sketch fills from the same values.
      let fresh = agg.createAccumulator();
      for (const v of f.values) fresh = agg.add(v, fresh);
      expect(agg.exportAccumulator!(restored)).toEqual(agg.exportAccumulator!(fresh));
    });
  }
});
