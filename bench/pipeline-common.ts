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

/** Results between two live-heap samples: a fixed point of the stream, the same for every variant. */
const SAMPLE_EVERY = 1 << 15;
const gc = (globalThis as { gc?: () => void }).gc;

/** Folds one result (order-independent), as the user's subscriber would consume it. */
export function fold(key: string, start: number, c: number, s: number): void {
  results++;
  counted += c;
  summed += s;
  const n = key.length;
  const k = key.charCodeAt(n - 1) + 31 * key.charCodeAt(n - 2) + 961 * key.charCodeAt(n - 3) + 29791 * n;
  mix = (mix + Math.imul(((start / SIZE) | 0) ^ Math.imul(k, 0x9e3779b1), 0x85ebca6b) + c * 7 + s) | 0;
  if (sampling && results % SAMPLE_EVERY === 0) sampleHeap();
}

/**
 * The live heap: heap in use right after a full, forced collection (run with --expose-gc), so only
 * what the pipeline still reaches counts (its open windows, keys, pending results), never garbage
 * waiting for a collection, whose amount depends on when the collector last ran rather than on the code.
 */
export function heapUsed(): number {
  gc?.();
  return getHeapStatistics().used_heap_size;
}

/** Samples the live heap (a full collection: only in the pass that measures memory, never a timed one). */
export function sampleHeap(): void {
  const used = heapUsed();
  if (used > heapPeak) heapPeak = used;
}

export function checksum(): string {
  return `${results}/${counted}/${summed}/${mix}`;
}

/** Starts a pass: the checksum from zero, heap sampling on or off from `baseline`. */
export function resetPass(sample: boolean, baseline: number): void {
  results = counted = summed = mix = 0;
  heapPeak = baseline;
  sampling = sample;
}

/** Ends a pass's heap sampling; returns the peak. */
export function endSampling(): number {
  if (sampling) sampleHeap();
  sampling = false;
  return heapPeak;
}
