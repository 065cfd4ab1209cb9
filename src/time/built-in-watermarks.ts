/**
 * The built-in watermark strategies, after Flink's: bounded out-of-orderness, monotonous
 * timestamps, punctuated, none, and one from your own generator.
 */
import { InvalidOptionError } from '../core/errors.js';
import type { WatermarkGenerator } from './watermark-generator.js';
import { DEFAULT_WATERMARK_PERIOD, WatermarkStrategy } from './watermark-strategy.js';

/**
 * Watermarks for records that arrive at most `maxOutOfOrdernessMs` out of order:
 * watermark = highest timestamp seen - maxOutOfOrderness - 1, emitted periodically (Flink's
 * BoundedOutOfOrdernessWatermarks).
 *
 * @example
 * ```ts
 * clicks$.pipe(withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(5_000) }));
 * ```
 */
export function boundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
  if (!Number.isSafeInteger(maxOutOfOrdernessMs) || maxOutOfOrdernessMs < 0) {
    throw new InvalidOptionError(
      'maxOutOfOrderness',
      maxOutOfOrdernessMs,
      'must be an integer number of ms, 0 or more',
    );
  }
  return new WatermarkStrategy<T>(
    () => {
      let maxTimestamp = -Infinity;
      return {
        onEvent: (_value, timestamp) => {
          if (timestamp > maxTimestamp) maxTimestamp = timestamp;
        },
        onPeriodicEmit: (output) => output.emitWatermark(maxTimestamp - maxOutOfOrdernessMs - 1),
        // Restored with the entry, so that periodic watermarks continue where they were.
        snapshotState: () => maxTimestamp,
        restoreState: (state) => {
          if (!Number.isSafeInteger(state) && state !== -Infinity)
            throw new TypeError(`the highest timestamp ${String(state)} is not a timestamp`);
          maxTimestamp = state as number;
        },
      };
    },
    DEFAULT_WATERMARK_PERIOD,
    undefined,
    true,
    'periodic',
    maxOutOfOrdernessMs,
  );
}

/**
 * Watermarks for timestamps that never decrease: watermark = highest timestamp seen - 1 (Flink's
 * `forMonotonousTimestamps`).
 *
 * @example
 * ```ts
 * ticks$.pipe(withEventTime({ timestamp: (t) => t.at, watermarks: monotonousTimestamps() }));
 * ```
 */
export function monotonousTimestamps<T>(): WatermarkStrategy<T> {
  return boundedOutOfOrderness<T>(0);
}

/**
 * Watermarks carried by the records themselves: `watermarkFor` returns the watermark a record
 * implies, or undefined for none. Emitted at once, after the record (Flink's punctuated
 * generators). No periodic timer runs, unless `withIdleness` needs one.
 *
 * @example
 * ```ts
 * // A sensor sends { type: 'heartbeat', upTo } records that promise nothing older follows.
 * type Message = { type: 'reading'; at: number; celsius: number } | { type: 'heartbeat'; at: number; upTo: number };
 * declare const messages$: Observable<Message>;
 * messages$.pipe(withEventTime({
 *   timestamp: (m) => m.at,
 *   watermarks: punctuatedWatermarks<Message>((m) => (m.type === 'heartbeat' ? m.upTo : undefined)),
 * }));
 * ```
 */
export function punctuatedWatermarks<T>(
  watermarkFor: (value: T, timestamp: number) => number | undefined,
): WatermarkStrategy<T> {
  if (typeof watermarkFor !== 'function')
    throw new InvalidOptionError(
      'watermarkFor',
      watermarkFor,
      'must be a function (value, timestamp) => watermark | undefined',
    );
  return new WatermarkStrategy<T>(
    () => ({
      onEvent: (value, timestamp, output) => {
        const watermark = watermarkFor(value, timestamp);
        if (watermark !== undefined) output.emitWatermark(watermark);
      },
      onPeriodicEmit: () => undefined,
    }),
    DEFAULT_WATERMARK_PERIOD,
    undefined,
    false,
  );
}

/**
 * No watermarks until the end of input, whose watermark +infinity still fires every event-time
 * window and timer (Flink's `WatermarkStrategy.noWatermarks()`). For pipelines that only need
 * timestamps, or only processing time.
 *
 * @example
 * ```ts
 * // Batch-like: count per page over a finite log, results when the log ends.
 * log$.pipe(withEventTime({ timestamp: (l) => l.at, watermarks: noWatermarks() }), keyBy((l) => l.page), ...);
 * ```
 */
export function noWatermarks<T>(): WatermarkStrategy<T> {
  return new WatermarkStrategy<T>(
    () => ({ onEvent: () => undefined, onPeriodicEmit: () => undefined }),
    DEFAULT_WATERMARK_PERIOD,
    undefined,
    false,
  );
}

/**
 * A strategy from your own generator, for rules the built-ins do not cover (Flink's
 * `WatermarkStrategy.forGenerator`). `createGenerator` is called once per subscription, so each
 * subscription has its own generator state. `onPeriodicEmit` runs every `periodMs` of processing
 * time (default 200); with `periodMs` 0 there is no timer and `onPeriodicEmit` runs after every event.
 *
 * @example
 * ```ts
 * const lagging = customWatermarks<Trade>(() => {
 *   let last = -Infinity;
 *   return {
 *     onEvent: (_t, ts) => { last = Math.max(last, ts); },
 *     onPeriodicEmit: (out) => out.emitWatermark(last - 10_000),
 *   };
 * });
 * ```
 */
export function customWatermarks<T>(
  createGenerator: () => WatermarkGenerator<T>,
  periodMs: number = DEFAULT_WATERMARK_PERIOD,
): WatermarkStrategy<T> {
  return new WatermarkStrategy<T>(createGenerator, periodMs);
}
