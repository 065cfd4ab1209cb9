/**
 * What every variant of bench/pipeline-bench.ts shares: the workload's constants, the checksum each
 * result is folded into (as the user's subscriber would consume it), and heap sampling.
 */
import { getHeapSpaceStatistics } from 'node:v8';

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

/** Folds one result (order-independent), as the user's subscriber would consume it. */
export function fold(key: string, start: number, c: number, s: number): void {
  results++;
  counted += c;
  summed += s;
  const n = key.length;
  const k = key.charCodeAt(n - 1) + 31 * key.charCodeAt(n - 2) + 961 * key.charCodeAt(n - 3) + 29791 * n;
  mix = (mix + Math.imul(((start / SIZE) | 0) ^ Math.imul(k, 0x9e3779b1), 0x85ebca6b) + c * 7 + s) | 0;
  if (sampling && (results & 255) === 0) sampleHeap();
}

/**
 * Heap in use outside the young generation: what a pipeline keeps (its state, and garbage that lived
 * long enough to be promoted). The young generation is left out: it holds up to its size (16 MB) of
 * short-lived garbage whatever the code, which would hide every difference.
 */
export function heapUsed(): number {
  let used = 0;
  for (const space of getHeapSpaceStatistics()) if (space.space_name !== 'new_space') used += space.space_used_size;
  return used;
}

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
