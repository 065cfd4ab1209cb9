/**
 * Window assigners, after Flink's `WindowAssigner` family. An assigner is a plain description that
 * the window operator interprets; built-in assigners cover what Flink ships (tumbling, sliding,
 * session, dynamic session, global; event time and processing time).
 */
import { InvalidOptionError } from '../core/errors.js';
import { positiveInteger } from '../core/options.js';
import type { FixedWindowAssigner, GlobalWindowAssigner, SessionWindowAssigner } from './assigner-types.js';
import { generalPath } from './general-windows.js';
import { MergingWindowSet } from './merging-window-set.js';
import { endOfStreamTrigger, eventTimeTrigger, neverTrigger, processingTimeTrigger, type Trigger } from './triggers.js';
import type { GeneralPathRef } from './window-path.js';

export type {
  FixedWindowAssigner,
  GlobalWindowAssigner,
  SessionWindowAssigner,
  WindowAssigner,
} from './assigner-types.js';

function checkOffset(option: string, offset: number, bound: number, boundName: string): void {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) {
    throw new InvalidOptionError(option, offset, 'must be an integer number of milliseconds (it may be negative)');
  }
  // Same rule as Flink's assigners: abs(offset) < size (tumbling) or < slide (sliding).
  if (Math.abs(offset) >= bound)
    throw new InvalidOptionError(option, offset, `must satisfy abs(offset) < ${boundName} (${bound})`);
}

function fixed(
  name: string,
  size: number,
  slide: number,
  offset: number,
  eventTime: boolean,
  defaultTrigger: Trigger<unknown>,
  general?: GeneralPathRef,
): FixedWindowAssigner {
  positiveInteger(`${name} size`, size, 'milliseconds');
  positiveInteger(`${name} slide`, slide, 'milliseconds');
  checkOffset(`${name} offset`, offset, slide, slide === size ? 'size' : 'slide');
  const assigner = { kind: 'fixed' as const, size, slide, offset, eventTime, name, defaultTrigger };
  // Only tumbling event-time windows run on the pane table alone: the others bring the general path.
  return Object.freeze(general === undefined ? assigner : { ...assigner, generalPath: general });
}

/**
 * Tumbling event-time windows of `size` ms, aligned to `offset` (Flink's TumblingEventTimeWindows):
 * an element with timestamp t belongs to `[start, start + size)` where start is the floor of
 * `t - offset` to a multiple of `size`, plus `offset`. Use an offset to align windows to a time
 * zone, e.g. `tumblingEventTimeWindows(86_400_000, -8 * 3_600_000)` for days starting at midnight UTC+8.
 *
 * @example
 * ```ts
 * clicks$.pipe(withEventTime(...), keyBy((c) => c.page), window(tumblingEventTimeWindows(60_000)).aggregate(count()));
 * ```
 */
export function tumblingEventTimeWindows(size: number, offset = 0): FixedWindowAssigner {
  return fixed('tumblingEventTimeWindows', size, size, offset, true, eventTimeTrigger());
}

/**
 * Sliding event-time windows of `size` ms every `slide` ms (Flink's SlidingEventTimeWindows): each
 * element belongs to `ceil(size / slide)` windows (fewer when `slide` does not divide `size`).
 *
 * @example
 * ```ts
 * // The mean temperature of each sensor over the last 10 s, every 5 s.
 * readings$.pipe(
 *   withEventTime({ timestamp: (r) => r.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((r) => r.sensor),
 *   window(slidingEventTimeWindows(10_000, 5_000)).aggregate(average((r) => r.celsius)),
 * );
 * ```
 */
export function slidingEventTimeWindows(size: number, slide: number, offset = 0): FixedWindowAssigner {
  return fixed('slidingEventTimeWindows', size, slide, offset, true, eventTimeTrigger(), generalPath);
}

/**
 * Tumbling windows over processing time, read from the injected scheduler when the element arrives
 * (Flink's TumblingProcessingTimeWindows).
 *
 * At the end of input, processing-time windows that have not fired yet are not fired: Flink
 * quiesces its processing-time service when a bounded input ends (StreamOperatorWrapper's
 * quiesceTimeServiceAndFinishOperator: pending timers never fire), and this library does the same.
 * Use event time, or a `globalWindows({ endOfStream: true })`-style trigger, for results at the end.
 *
 * @example
 * ```ts
 * // Events per type and second of arrival; processing time comes from the scheduler, not from `at`.
 * events$.pipe(
 *   withEventTime({ timestamp: (e) => e.at, watermarks: noWatermarks() }),
 *   keyBy((e) => e.type),
 *   window(tumblingProcessingTimeWindows(1_000), { scheduler: rxScheduler }).aggregate(count()),
 * );
 * ```
 */
export function tumblingProcessingTimeWindows(size: number, offset = 0): FixedWindowAssigner {
  return fixed('tumblingProcessingTimeWindows', size, size, offset, false, processingTimeTrigger(), generalPath);
}

/**
 * Sliding windows over processing time (Flink's SlidingProcessingTimeWindows).
 *
 * @example
 * ```ts
 * events$.pipe(
 *   withEventTime({ timestamp: (e) => e.at, watermarks: noWatermarks() }),
 *   keyBy((e) => e.type),
 *   window(slidingProcessingTimeWindows(10_000, 1_000)).aggregate(count()),
 * );
 * ```
 */
export function slidingProcessingTimeWindows(size: number, slide: number, offset = 0): FixedWindowAssigner {
  return fixed('slidingProcessingTimeWindows', size, slide, offset, false, processingTimeTrigger(), generalPath);
}

function session<T>(
  name: string,
  gap: number | ((value: T) => number),
  eventTime: boolean,
  defaultTrigger: Trigger<unknown>,
): SessionWindowAssigner<T> {
  if (typeof gap === 'function') {
    const extract = gap;
    // Flink's Dynamic*SessionWindows refuse a gap <= 0 for the element that produced it.
    const checked = (value: T): number => {
      const g = extract(value);
      if (typeof g !== 'number' || !Number.isSafeInteger(g) || g <= 0) {
        throw new InvalidOptionError(
          `${name} gap`,
          g,
          `must be a positive integer number of milliseconds (returned for element ${safeJson(value)})`,
        );
      }
      return g;
    };
    return Object.freeze({
      kind: 'session',
      gap: checked,
      dynamic: true,
      eventTime,
      name,
      defaultTrigger,
      merging: MergingWindowSet,
      generalPath,
    });
  }
  positiveInteger(`${name} gap`, gap, 'milliseconds');
  return Object.freeze({
    kind: 'session',
    gap: () => gap,
    dynamic: false,
    eventTime,
    name,
    defaultTrigger,
    merging: MergingWindowSet,
    generalPath,
  });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Session windows over event time (Flink's EventTimeSessionWindows): each element opens
 * `[t, t + gap)`, and windows that overlap or touch merge, so two elements exactly `gap` apart are
 * one session.
 *
 * @example
 * ```ts
 * // Clicks per visit: a user's visit ends after 30 minutes without a click.
 * clicks$.pipe(
 *   withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(5_000) }),
 *   keyBy((c) => c.user),
 *   window(eventTimeSessionWindows(30 * 60_000)).aggregate(count()),
 * );
 * ```
 */
export function eventTimeSessionWindows(gap: number): SessionWindowAssigner<unknown> {
  return session('eventTimeSessionWindows', gap, true, eventTimeTrigger());
}

/**
 * Session windows over event time whose gap is computed per element (Flink's
 * DynamicEventTimeSessionWindows). A gap that is not a positive integer raises an InvalidOptionError
 * naming the element.
 *
 * @example
 * ```ts
 * // Paying users' visits last until 60 s without a click, the others' until 10 s.
 * window(dynamicEventTimeSessionWindows((c: Click) => (c.cents > 0 ? 60_000 : 10_000))).aggregate(count());
 * ```
 */
export function dynamicEventTimeSessionWindows<T>(gap: (value: T) => number): SessionWindowAssigner<T> {
  return session('dynamicEventTimeSessionWindows', gap, true, eventTimeTrigger());
}

/**
 * Session windows over processing time (Flink's ProcessingTimeSessionWindows).
 *
 * @example
 * ```ts
 * window(processingTimeSessionWindows(5_000), { scheduler }).aggregate(count());
 * ```
 */
export function processingTimeSessionWindows(gap: number): SessionWindowAssigner<unknown> {
  return session('processingTimeSessionWindows', gap, false, processingTimeTrigger());
}

/**
 * Session windows over processing time with a gap per element (Flink's DynamicProcessingTimeSessionWindows).
 *
 * @example
 * ```ts
 * window(dynamicProcessingTimeSessionWindows((e: Ev) => e.timeout), { scheduler }).aggregate(count());
 * ```
 */
export function dynamicProcessingTimeSessionWindows<T>(gap: (value: T) => number): SessionWindowAssigner<T> {
  return session('dynamicProcessingTimeSessionWindows', gap, false, processingTimeTrigger());
}

/**
 * One window for all elements of a key (Flink's GlobalWindows). Its default trigger never fires:
 * give it a trigger (e.g. `countTrigger(n)`), or pass `{ endOfStream: true }` for a default trigger
 * that fires once at the end of input (Flink's `GlobalWindows.createWithEndOfStreamTrigger()`).
 *
 * @example
 * ```ts
 * window(globalWindows({ endOfStream: true })).aggregate(count()); // one count per key, at the end
 * ```
 */
export function globalWindows(options: { endOfStream?: boolean } = {}): GlobalWindowAssigner {
  const endOfStream = options.endOfStream === true;
  return Object.freeze({
    kind: 'global',
    eventTime: false,
    name: 'globalWindows',
    endOfStreamTrigger: endOfStream,
    defaultTrigger: endOfStream ? endOfStreamTrigger() : neverTrigger(),
    generalPath,
  });
}
