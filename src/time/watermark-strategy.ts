import { InvalidOptionError } from '../core/errors.js';

/**
 * Where a watermark generator sends what it decides: a watermark, or that its input is idle or
 * active again. Mirrors Flink's `WatermarkOutput`.
 */
export interface WatermarkOutput {
  /** Proposes watermark `timestamp`; only watermarks greater than the last one are forwarded. */
  emitWatermark(timestamp: number): void;
  /** Marks the input idle: it stops holding back the watermark of a merge. */
  markIdle(): void;
  /** Marks the input active again. */
  markActive(): void;
}

/**
 * Decides watermarks from the records seen (`onEvent`) and periodically (`onPeriodicEmit`, every
 * `period` ms of processing time), like Flink's `WatermarkGenerator`.
 */
export interface WatermarkGenerator<T> {
  /**
   * Called for each record with a valid timestamp (late ones too), right after the record went
   * downstream: a punctuated generator emits its watermark here, a periodic one remembers the
   * highest timestamp. An error it throws fails the stream.
   */
  onEvent(value: T, timestamp: number, output: WatermarkOutput): void;
  /**
   * Called at the strategy's cadence: every `period` ms of processing time (Flink's
   * auto-watermark interval), or after every event or every input batch. Emits the watermark
   * that the records seen so far allow; only one above the last goes downstream.
   */
  onPeriodicEmit(output: WatermarkOutput): void;
  /**
   * The generator's state as plain data (the built-ins: the highest timestamp seen), stored with
   * the entry operator's state at each checkpoint. Optional: without it a restored generator starts
   * from nothing, as in Flink (see docs/checkpoints.md).
   */
  snapshotState?(): unknown;
  /** Takes back what `snapshotState` exported; throws on anything else. */
  restoreState?(state: unknown): void;
}

/** Flink's default auto-watermark interval (pipeline.auto-watermark-interval). */
export const DEFAULT_WATERMARK_PERIOD = 200;

/**
 * How an input's watermarks are made: a generator per subscription, how often its periodic
 * emission runs, and after how long without records the input counts as idle. Immutable: the
 * `with...` methods return a new strategy. Build one with `boundedOutOfOrderness`,
 * `monotonousTimestamps`, `punctuatedWatermarks`, `customWatermarks` or `noWatermarks`.
 */
export class WatermarkStrategy<T> {
  readonly #create: () => WatermarkGenerator<T>;
  /** Processing-time ms between periodic emissions; 0: the periodic emission runs after every event instead. */
  readonly period: number;
  /** Processing-time ms without records after which the input is marked idle; undefined: never. */
  readonly idleTimeout: number | undefined;
  /**
   * Whether the generator does anything in `onPeriodicEmit`. Punctuated generators do not, so no
   * periodic timer runs for them unless idleness needs it (in Flink the timer runs anyway and calls
   * an empty method: the outcome is the same).
   */
  readonly emitsPeriodically: boolean;
  /**
   * When the generator's periodic emission runs (see `WatermarkCadence`): on a processing-time
   * timer every `period` ms (Flink's default), after every event, or after every input batch.
   */
  readonly cadence: WatermarkCadence;

  /**
   * For `boundedOutOfOrderness(d)` and `monotonousTimestamps()`: d, which lets the entry operator
   * compute the watermark itself on the every-event cadence (the same values as the generator's).
   */
  readonly outOfOrderness: number | undefined;

  constructor(create: () => WatermarkGenerator<T>, period = DEFAULT_WATERMARK_PERIOD, idleTimeout?: number, emitsPeriodically = true, cadence: WatermarkCadence = 'periodic', outOfOrderness?: number) {
    if (typeof create !== 'function') throw new InvalidOptionError('createGenerator', create, 'must be a function returning a WatermarkGenerator');
    checkDuration('period', period, true);
    if (idleTimeout !== undefined) {
      checkDuration('idleTimeout', idleTimeout, false);
      if (period === 0) {
        throw new InvalidOptionError('idleTimeout', idleTimeout, 'needs periodic emission: idleness is checked at each periodic emission, as in Flink, and period is 0 (use onEveryEvent() to emit on every event and keep the period for idleness)');
      }
    }
    if (cadence !== 'periodic' && cadence !== 'event' && cadence !== 'batch') {
      throw new InvalidOptionError('cadence', cadence, "must be 'periodic', 'event' or 'batch'");
    }
    this.#create = create;
    this.period = period;
    this.idleTimeout = idleTimeout;
    this.emitsPeriodically = emitsPeriodically;
    // Period 0 turns the timer off: the emission runs on input instead, after every event, so that a
    // bounded strategy is never left without watermarks until the end of input.
    this.cadence = period === 0 ? 'event' : cadence;
    this.outOfOrderness = outOfOrderness;
  }

  /** Whether the entry operator must run a periodic timer for this strategy. */
  get needsPeriodicTimer(): boolean {
    return this.period > 0 && ((this.emitsPeriodically && this.cadence === 'periodic') || this.idleTimeout !== undefined);
  }

  /** A fresh generator, with idleness detection wrapped around it when configured. */
  createGenerator(now: () => number): WatermarkGenerator<T> {
    const generator = this.#create();
    if (generator === null || typeof generator !== 'object' || typeof generator.onEvent !== 'function' || typeof generator.onPeriodicEmit !== 'function') {
      throw new InvalidOptionError('createGenerator', generator, 'must return an object with onEvent and onPeriodicEmit methods');
    }
    return this.idleTimeout === undefined ? generator : new WatermarksWithIdleness(generator, this.idleTimeout, now);
  }

  /**
   * Marks the input idle after `timeoutMs` of processing time without records, like Flink's
   * `withIdleness`; any record makes it active again. Idleness is checked at each periodic emission
   * (Flink's IdlenessTimer), so an input is marked idle between `timeoutMs + period` and
   * `timeoutMs + 3 * period` after its last record.
   *
   * @example
   * ```ts
   * // A partition that may fall silent must not hold back the merged watermark for more than a minute.
   * const strategy = boundedOutOfOrderness<Order>(5_000).withIdleness(60_000);
   * ```
   */
  withIdleness(timeoutMs: number): WatermarkStrategy<T> {
    return new WatermarkStrategy(this.#create, this.period, timeoutMs, this.emitsPeriodically, this.cadence, this.outOfOrderness);
  }

  /**
   * Sets the periodic emission interval in ms of processing time (Flink's
   * `pipeline.auto-watermark-interval`, default 200). 0 means no timer: the periodic emission then
   * runs after every event, as with `onEveryEvent()` (but without idleness, which needs the timer).
   *
   * @example
   * ```ts
   * const strategy = boundedOutOfOrderness<Trade>(1_000).withPeriod(50);
   * ```
   */
  withPeriod(periodMs: number): WatermarkStrategy<T> {
    return new WatermarkStrategy(this.#create, periodMs, this.idleTimeout, this.emitsPeriodically, periodMs === 0 ? 'event' : this.cadence, this.outOfOrderness);
  }

  /**
   * Runs the periodic emission after every event instead of on a timer: a bounded strategy then
   * emits `max - maxOutOfOrderness - 1` as soon as an event raises the max (Flink lets a generator's
   * `onEvent` emit; its bounded generator does not, this makes it). Windows fire as early as event
   * time allows and no more windows stay open than the out-of-orderness needs, which a fast
   * synchronous source with a 200 ms timer does not get. A sooner watermark can make a record late
   * that a later one would not have: see "Watermark cadence" in docs/windows.md. The period is kept
   * for idleness checks.
   *
   * @example
   * ```ts
   * events$.pipe(withEventTime({ timestamp: (e) => e.at, watermarks: boundedOutOfOrderness<Ev>(500).onEveryEvent() }));
   * ```
   */
  onEveryEvent(): WatermarkStrategy<T> {
    return new WatermarkStrategy(this.#create, this.period, this.idleTimeout, this.emitsPeriodically, 'event', this.outOfOrderness);
  }

  /**
   * Runs the periodic emission after every input batch instead of on a timer: with
   * `withEventTimeBatches` (a pulled source's arrays), one watermark after each array whose events
   * raised it; with `withEventTime`, each value is a batch of one. Cheaper than `onEveryEvent()`
   * when batches are small against the out-of-orderness; windows fire at batch ends.
   *
   * @example
   * ```ts
   * fromIterable(rows, { batchSize: 1_000 }).pipe(
   *   withEventTimeBatches({ timestamp: (r) => r.at, watermarks: boundedOutOfOrderness<Row>(500).onEveryBatch() }),
   * );
   * ```
   */
  onEveryBatch(): WatermarkStrategy<T> {
    return new WatermarkStrategy(this.#create, this.period, this.idleTimeout, this.emitsPeriodically, 'batch', this.outOfOrderness);
  }
}

/**
 * When a strategy's periodic emission (`onPeriodicEmit`) runs: `'periodic'` every `period` ms of
 * processing time (Flink's default), `'event'` after every event, `'batch'` after every input batch.
 */
export type WatermarkCadence = 'periodic' | 'event' | 'batch';

function checkDuration(option: string, value: number, zeroAllowed: boolean): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zeroAllowed && value === 0)) {
    throw new InvalidOptionError(option, value, zeroAllowed ? 'must be a finite number of ms, 0 or more' : 'must be a finite number of ms, more than 0');
  }
}

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
    throw new InvalidOptionError('maxOutOfOrderness', maxOutOfOrdernessMs, 'must be an integer number of ms, 0 or more');
  }
  return new WatermarkStrategy<T>(() => {
    let maxTimestamp = -Infinity;
    return {
      onEvent: (_value, timestamp) => {
        if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      },
      onPeriodicEmit: (output) => output.emitWatermark(maxTimestamp - maxOutOfOrdernessMs - 1),
      // Restored with the entry, so that periodic watermarks continue where they were.
      snapshotState: () => maxTimestamp,
      restoreState: (state) => {
        if (!Number.isSafeInteger(state) && state !== -Infinity) throw new TypeError(`the highest timestamp ${String(state)} is not a timestamp`);
        maxTimestamp = state as number;
      },
    };
  }, DEFAULT_WATERMARK_PERIOD, undefined, true, 'periodic', maxOutOfOrdernessMs);
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
  if (typeof watermarkFor !== 'function') throw new InvalidOptionError('watermarkFor', watermarkFor, 'must be a function (value, timestamp) => watermark | undefined');
  return new WatermarkStrategy<T>(() => ({
    onEvent: (value, timestamp, output) => {
      const watermark = watermarkFor(value, timestamp);
      if (watermark !== undefined) output.emitWatermark(watermark);
    },
    onPeriodicEmit: () => undefined,
  }), DEFAULT_WATERMARK_PERIOD, undefined, false);
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
  return new WatermarkStrategy<T>(() => ({ onEvent: () => undefined, onPeriodicEmit: () => undefined }), DEFAULT_WATERMARK_PERIOD, undefined, false);
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
export function customWatermarks<T>(createGenerator: () => WatermarkGenerator<T>, periodMs: number = DEFAULT_WATERMARK_PERIOD): WatermarkStrategy<T> {
  return new WatermarkStrategy<T>(createGenerator, periodMs);
}

/**
 * Flink's WatermarksWithIdleness and IdlenessTimer: idleness is decided at periodic emission. The
 * first emission without new records starts the inactivity clock; an emission more than `timeout`
 * after that start marks the input idle instead of emitting a watermark.
 */
class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  #activity = 0;
  #lastSeenActivity = 0;
  #inactiveSince: number | undefined;

  constructor(
    private readonly generator: WatermarkGenerator<T>,
    private readonly timeout: number,
    private readonly now: () => number,
  ) {}

  onEvent(value: T, timestamp: number, output: WatermarkOutput): void {
    this.generator.onEvent(value, timestamp, output);
    this.#activity++;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.#isIdle()) output.markIdle();
    else this.generator.onPeriodicEmit(output);
  }

  // Idleness is not state: a restored input counts as active until its timeout passes again.
  get snapshotState(): (() => unknown) | undefined {
    return this.generator.snapshotState?.bind(this.generator);
  }

  get restoreState(): ((state: unknown) => void) | undefined {
    return this.generator.restoreState?.bind(this.generator);
  }

  #isIdle(): boolean {
    if (this.#activity !== this.#lastSeenActivity) {
      this.#lastSeenActivity = this.#activity;
      this.#inactiveSince = undefined;
      return false;
    }
    const now = this.now();
    if (this.#inactiveSince === undefined) {
      this.#inactiveSince = now;
      return false;
    }
    return now - this.#inactiveSince > this.timeout;
  }
}
