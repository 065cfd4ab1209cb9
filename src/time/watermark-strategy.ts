/**
 * `WatermarkStrategy`: how an input's watermarks are made (generator, cadence, idleness). The
 * built-in strategies are in built-in-watermarks.ts, the idleness wrapper in idleness.ts.
 */
import { InvalidOptionError } from '../core/errors.js';
import { WatermarksWithIdleness } from './idleness.js';
import type { WatermarkGenerator } from './watermark-generator.js';

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
  declare readonly period: number;
  /** Processing-time ms without records after which the input is marked idle; undefined: never. */
  declare readonly idleTimeout: number | undefined;
  /**
   * Whether the generator does anything in `onPeriodicEmit`. Punctuated generators do not, so no
   * periodic timer runs for them unless idleness needs it (in Flink the timer runs anyway and calls
   * an empty method: the outcome is the same).
   */
  declare readonly emitsPeriodically: boolean;
  /**
   * When the generator's periodic emission runs (see `WatermarkCadence`): on a processing-time
   * timer every `period` ms (Flink's default), after every event, or after every input batch.
   */
  declare readonly cadence: WatermarkCadence;

  /**
   * For `boundedOutOfOrderness(d)` and `monotonousTimestamps()`: d, which lets the entry operator
   * compute the watermark itself on the every-event cadence (the same values as the generator's).
   */
  declare readonly outOfOrderness: number | undefined;

  constructor(
    create: () => WatermarkGenerator<T>,
    period = DEFAULT_WATERMARK_PERIOD,
    idleTimeout?: number,
    emitsPeriodically = true,
    cadence: WatermarkCadence = 'periodic',
    outOfOrderness?: number,
  ) {
    if (typeof create !== 'function')
      throw new InvalidOptionError('createGenerator', create, 'must be a function returning a WatermarkGenerator');
    checkDuration('period', period, true);
    if (idleTimeout !== undefined) {
      checkDuration('idleTimeout', idleTimeout, false);
      if (period === 0) {
        throw new InvalidOptionError(
          'idleTimeout',
          idleTimeout,
          'needs periodic emission: idleness is checked at each periodic emission, as in Flink, and period is 0 (use onEveryEvent() to emit on every event and keep the period for idleness)',
        );
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
    return (
      this.period > 0 && ((this.emitsPeriodically && this.cadence === 'periodic') || this.idleTimeout !== undefined)
    );
  }

  /** A fresh generator, with idleness detection wrapped around it when configured. */
  createGenerator(now: () => number): WatermarkGenerator<T> {
    const generator = this.#create();
    if (
      generator === null ||
      typeof generator !== 'object' ||
      typeof generator.onEvent !== 'function' ||
      typeof generator.onPeriodicEmit !== 'function'
    ) {
      throw new InvalidOptionError(
        'createGenerator',
        generator,
        'must return an object with onEvent and onPeriodicEmit methods',
      );
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
    return new WatermarkStrategy(
      this.#create,
      this.period,
      timeoutMs,
      this.emitsPeriodically,
      this.cadence,
      this.outOfOrderness,
    );
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
    return new WatermarkStrategy(
      this.#create,
      periodMs,
      this.idleTimeout,
      this.emitsPeriodically,
      periodMs === 0 ? 'event' : this.cadence,
      this.outOfOrderness,
    );
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
    return new WatermarkStrategy(
      this.#create,
      this.period,
      this.idleTimeout,
      this.emitsPeriodically,
      'event',
      this.outOfOrderness,
    );
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
    return new WatermarkStrategy(
      this.#create,
      this.period,
      this.idleTimeout,
      this.emitsPeriodically,
      'batch',
      this.outOfOrderness,
    );
  }
}

/**
 * When a strategy's periodic emission (`onPeriodicEmit`) runs: `'periodic'` every `period` ms of
 * processing time (Flink's default), `'event'` after every event, `'batch'` after every input batch.
 */
export type WatermarkCadence = 'periodic' | 'event' | 'batch';

function checkDuration(option: string, value: number, zeroAllowed: boolean): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zeroAllowed && value === 0)) {
    throw new InvalidOptionError(
      option,
      value,
      zeroAllowed ? 'must be a finite number of ms, 0 or more' : 'must be a finite number of ms, more than 0',
    );
  }
}
