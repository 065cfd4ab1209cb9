/**
 * What every variant of bench/pipeline-bench.ts shares: the workload's constants, the checksum each
 * result is folded into (as the user's subscriber would consume it), and the live-heap measure.
 */
import { getHeapStatistics } from 'node:v8';

export const SIZE = 1000;
export const OUT_OF_ORDERNESS = 499; // watermark = max - 499 - 1
export const BATCH = 1000;

// ---------- the checksum every variant folds its results into ----------

let results = 0;
let counted = 0;
let summed = 0;
let mix = 0;
let sampling = false;
let heapPeak = 0;
/** Samples left in this pass. */
let samplesLeft = 0;
/** Forced full collections so far in this process (bench/live-data.ts finds each in V8's statistics). */
let forced = 0;

/** Results between two live-heap samples (fixed points of the stream, the same for every variant). */
let sampleEvery = 0;
const gc = (globalThis as { gc?: () => void }).gc;

/** Folds one result (order-independent), as the user's subscriber would consume it. */
export function fold(key: string, start: number, c: number, s: number): void {
  results++;
  counted += c;
  summed += s;
  const n = key.length;
  const k = key.charCodeAt(n - 1) + 31 * key.charCodeAt(n - 2) + 961 * key.charCodeAt(n - 3) + 29791 * n;
  mix = (mix + Math.imul(((start / SIZE) | 0) ^ Math.imul(k, 0x9e3779b1), 0x85ebca6b) + c * 7 + s) | 0;
  if (sampling && results % sampleEvery === 0 && samplesLeft > 0) sampleHeap();
}

/**
 * The live heap: heap in use right after a full, forced collection (run with --expose-gc), so only
 * what the pipeline still reaches counts (its open windows, keys, pending results), never garbage
 * waiting for a collection, whose amount depends on when the collector last ran rather than on the code.
 */
export function heapUsed(): number {
  if (gc !== undefined) {
    gc();
    forced++;
  }
  return getHeapStatistics().used_heap_size;
}

/** Samples the live heap (a full collection: only in the pass that measures memory, never a timed one). */
export function sampleHeap(): void {
  samplesLeft--;
  const used = heapUsed();
  if (used > heapPeak) heapPeak = used;
}

export function checksum(): string {
  return `${results}/${counted}/${summed}/${mix}`;
}

/** How many forced full collections (`heapUsed`) this process ran so far. */
export function forcedCollectionCount(): number {
  return forced;
}

/** The number of results of the pass so far (a pass's total once it has run). */
export function resultCount(): number {
  return results;
}

/**
 * Starts a pass: the checksum from zero; with `samples` > 0, the live heap sampled that many times
 * at even intervals of a pass of `total` results (a full collection each: only in an untimed pass).
 */
export function resetPass(baseline: number, samples = 0, total = 0): void {
  results = counted = summed = mix = 0;
  heapPeak = baseline;
  sampling = samples > 0;
  samplesLeft = samples;
  sampleEvery = Math.max(1, Math.floor(total / (samples + 1)));
}

/** Ends a pass's heap sampling; returns the peak. */
export function endSampling(): number {
  sampling = false;
  return heapPeak;
}
