/**
 * What a sample reads from an engine operator, by the members it happens to have (an operator does
 * not have to know about metrics): its watermark, the size of its state, its late-record counters.
 * Read when sampled only, never on the path of records.
 */
import type { StateSize } from './types.js';

/** The members a sample looks for; every one is optional. */
interface Readable {
  readonly currentWatermark?: unknown;
  readonly keyCount?: unknown;
  readonly windowCount?: unknown;
  readonly timerCount?: unknown;
  readonly counters?: { get(name: string): number } | null;
}

// Rough costs of one entry of each table, in bytes: a Map entry with its key and a small object.
const BYTES_PER_KEY = 64;
const BYTES_PER_WINDOW = 96;
const BYTES_PER_TIMER = 40;

/** The operator's own watermark (`currentWatermark`), if it keeps one. */
export function watermarkOf(operator: object | null): number | undefined {
  const wm = (operator as Readable | null)?.currentWatermark;
  return typeof wm === 'number' ? wm : undefined;
}

/** The size of the operator's state, or null when it shows none of `keyCount`, `windowCount`, `timerCount`. */
export function stateSizeOf(operator: object | null): StateSize | null {
  const o = operator as Readable | null;
  if (o === null) return null;
  const keys = count(o.keyCount);
  const windows = count(o.windowCount);
  const timers = count(o.timerCount);
  if (keys === undefined && windows === undefined && timers === undefined) return null;
  const k = keys ?? 0;
  const w = windows ?? 0;
  const t = timers ?? 0;
  return {
    keys: k,
    windows: w,
    timers: t,
    approximateBytes: k * BYTES_PER_KEY + w * BYTES_PER_WINDOW + t * BYTES_PER_TIMER,
  };
}

/**
 * Late records dropped and sent to the late side output, from the operator's `Counters` (the
 * window operator's counter names, src/window/types.ts `DROPPED_LATE` and `LATE_TO_SIDE_OUTPUT`).
 */
export function lateCountsOf(operator: object | null): { dropped: number; toSideOutput: number } {
  const counters = (operator as Readable | null)?.counters;
  if (counters === null || counters === undefined || typeof counters.get !== 'function')
    return { dropped: 0, toSideOutput: 0 };
  return { dropped: counters.get('droppedLate'), toSideOutput: counters.get('lateRecordsToSideOutput') };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
