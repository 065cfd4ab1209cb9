import { Counters } from '../core/counters.js';
import {
  ACTIVE,
  END_OF_STREAM,
  IDLE,
  MAX_WATERMARK,
  MIN_WATERMARK,
  type StreamElement,
  type StreamRecord,
} from '../core/elements.js';
import { InvalidTimestampError } from '../core/errors.js';
import type { ProcessingTimeService } from '../core/time.js';
import { InvalidWatermarkError, WatermarkOutputClosedError, watermarkProblem } from './errors.js';
import { timestampProblem } from './timestamps.js';
import { ElementArray, type BoundedRun, type EntryDownstream } from './entry-downstream.js';

export type { EntryDownstream } from './entry-downstream.js';
import type { WatermarkGenerator, WatermarkOutput } from './watermark-generator.js';
import { checkEventTimeOptions, type TimestampsAndWatermarksOptions } from './event-time-options.js';
import type { EventTimeStateAccess } from './event-time-codec.js';

/**
 * The entry of a timed pipeline (Flink's TimestampsAndWatermarksOperator): turns plain values into
 * records, asks the watermark generator for watermarks, runs its periodic emission on processing
 * time, and forwards only increasing watermarks.
 *
 * Periodic emission runs on a processing-time timer and is also checked after each input batch, so
 * a synchronous source that never yields still gets a watermark every `period` ms.
 *
 * The methods that write into an element array rather than a downstream (`processValue`,
 * `processValues`, `endOfBatch`) are rxflink/engine's (snapshotting-entry.ts): `withEventTime` calls
 * the downstream ones, so a pipeline's bundle leaves them out.
 *
 * Deviation from Flink, asked for by the foundation issue: a record that arrives while the input is
 * idle makes it active again at once (an ACTIVE status before the record). Flink's operator stays
 * idle until its generator emits a higher watermark, so records would flow on an "idle" input.
 *
 * @example
 * ```ts
 * // Engine use without RxJS (a custom runtime, a worker loop): feed values, read elements.
 * const entry = new TimestampsAndWatermarksOperator<Click>(
 *   { timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(1_000) },
 *   runtime.processingTime, // a ProcessingTimeService: now() and schedule()
 * );
 * const out: StreamElement<Click>[] = [];
 * entry.processValues(clickLog, out); // records, and a watermark if the period has passed
 * entry.end(out);                   // watermark +infinity
 * entry.dispose();
 * ```
 */
export class TimestampsAndWatermarksOperator<T> {
  /** The name monitoring shows (kept by minifiers, unlike the class name). */
  readonly operatorName = 'TimestampsAndWatermarks';
  declare readonly counters: Counters;
  readonly #options: TimestampsAndWatermarksOptions<T>;
  readonly #generator: WatermarkGenerator<T>;
  readonly #extract: (value: T) => number;
  readonly #time: ProcessingTimeService;
  readonly #period: number;
  /** Where the generator's output goes, while it is being called. */
  #out: EntryDownstream<T> | undefined;
  readonly #array = new ElementArray<T>();
  #idle = false;
  #nextPeriodicEmit = Infinity;
  readonly #periodic: boolean;
  /** Periodic emission after every event or input batch (WatermarkStrategy.cadence). */
  readonly #onEvent: boolean;
  readonly #onBatch: boolean;
  /**
   * A bounded strategy's out-of-orderness on the every-event cadence without idleness, else -1: then
   * `max - d - 1` is computed here, as the generator would, with no call or boxed number per value.
   */
  readonly #bound: number;
  /**
   * The entry's last watermark and highest timestamp (#bound's), in the object #boundedRunsTo hands
   * a fused chain (EntryDownstream.run), which raises them in place: no copy in and out per run.
   */
  readonly #run: BoundedRun<T>;
  #cancelTimer: (() => void) | undefined;
  readonly #output: WatermarkOutput = {
    // As Flink's WatermarkEmitter: a watermark that does not advance is dropped and does not end
    // idleness; one that advances ends it first, so the merge counts this input again.
    emitWatermark: (timestamp) => {
      if (!Number.isSafeInteger(timestamp)) {
        const problem = watermarkProblem(timestamp);
        if (problem !== undefined) throw new InvalidWatermarkError(timestamp, problem);
      }
      const out = this.#outFor('emitWatermark');
      if (timestamp > this.#run.watermark) {
        if (this.#idle) this.#setIdle(false);
        this.#run.watermark = timestamp;
        out.watermark(timestamp);
      }
    },
    markIdle: () => this.#setIdle(true, 'markIdle'),
    markActive: () => this.#setIdle(false, 'markActive'),
  };

  /**
   * The entry's state (its last watermark, its generator's), as the checkpoint runtime's codec
   * (event-time-codec.ts) exports and restores it: the entry does not link that code, so a bundle
   * without checkpoints leaves it out. rxflink/engine's entry has it as methods (snapshotting-entry.ts).
   *
   * @internal
   */
  declare readonly stateAccess: EventTimeStateAccess;

  /** The id this operator's state (its last watermark) is stored under in checkpoints. */
  get uid(): string | undefined {
    return this.#options.uid;
  }

  constructor(options: TimestampsAndWatermarksOptions<T>, processingTime: ProcessingTimeService) {
    checkEventTimeOptions(options);
    this.#options = options;
    this.#extract = options.timestamp;
    this.counters = options.counters ?? new Counters();
    this.#time = processingTime;
    this.#generator = options.watermarks.createGenerator(() => processingTime.now());
    this.#period = options.watermarks.period;
    this.#periodic = options.watermarks.needsPeriodicTimer;
    const onInput = options.watermarks.emitsPeriodically;
    this.#onEvent = onInput && options.watermarks.cadence === 'event';
    this.#onBatch = onInput && options.watermarks.cadence === 'batch';
    const bound = options.watermarks.outOfOrderness;
    this.#bound = this.#onEvent && bound !== undefined && options.watermarks.idleTimeout === undefined ? bound : -1;
    this.#run = {
      extract: this.#extract,
      bound: this.#bound,
      max: -Infinity,
      watermark: MIN_WATERMARK,
      stopTs: undefined,
    };
    this.stateAccess = {
      kind: 'eventTime',
      uid: options.uid,
      generator: this.#generator as WatermarkGenerator<never>,
      run: this.#run,
    };
    // Flink registers the first periodic timer at open(): now + interval.
    if (this.#periodic) this.#schedulePeriodic(processingTime.now() + this.#period);
  }

  /** The last watermark forwarded. */
  get currentWatermark(): number {
    return this.#run.watermark;
  }

  /**
   * Processes one value into a fused chain's next operator (src/window/fused-window.ts): with a
   * bounded strategy, through `down.value` if it has one, and here if it does not take the value.
   */
  processValueTo(value: T, down: EntryDownstream<T>): void {
    const run = this.#run;
    if (this.#bound < 0 || down.value === undefined) this.#valueTo(value, this.#extract(value), down);
    else if (!down.value(value, run)) this.#valueTo(value, run.stopTs, down);
  }

  /** processValueTo with `timestamp` extracted (or where `down.run` or `down.value` stopped). */
  #valueTo(value: T, timestamp: unknown, down: EntryDownstream<T>): void {
    this.#out = down;
    // A safe integer is the only valid timestamp.
    if (!Number.isSafeInteger(timestamp)) {
      this.#invalid(value, timestamp);
      this.#out = undefined;
      return;
    }
    const ts = timestamp as number;
    const run = this.#run;
    if (this.#idle) this.#setIdle(false);
    if (ts <= run.watermark)
      this.#lateRecord({ kind: 'record', value, timestamp: ts, key: undefined, keyGroup: -1 }, down);
    else down.record(value, ts);
    if (this.#bound < 0) {
      this.#generator.onEvent(value, ts, this.#output);
      if (this.#onEvent) this.#generator.onPeriodicEmit(this.#output);
    } else if (ts > run.max) {
      run.max = ts;
      const watermark = ts - this.#bound - 1;
      if (watermark > run.watermark) {
        // (Not a safe integer: the generator's path throws its InvalidWatermarkError.)
        if (!Number.isSafeInteger(watermark)) this.#output.emitWatermark(watermark);
        run.watermark = watermark;
        down.watermark(watermark);
      }
    }
    this.#out = undefined;
  }

  /**
   * #valueTo over a batch through `down.run`: runs of values, each run's last watermark after
   * it. A late value, an invalid timestamp or watermark ends a run and goes alone.
   */
  #boundedRunsTo(values: readonly T[], down: EntryDownstream<T>): void {
    const run = this.#run;
    const n = values.length;
    for (let i = 0; i < n; ) {
      const before = run.watermark;
      const stop = down.run!(values, i, run);
      if (run.watermark > before) down.watermark(run.watermark);
      if (stop >= n) return;
      this.#valueTo(values[stop]!, run.stopTs, down);
      i = stop + 1;
    }
  }

  /**
   * `out` as a downstream: this entry's one element array, pointed at `out` (also for rxflink/engine's
   * element-array methods, snapshotting-entry.ts).
   * @internal
   */
  protected arrayOf(out: StreamElement<T>[]): ElementArray<T> {
    this.#array.out = out;
    return this.#array;
  }

  #invalid(value: T, timestamp: unknown): void {
    const problem = timestampProblem(timestamp) ?? 'the timestamp is not a safe integer';
    this.counters.add('invalidTimestamps');
    if (!this.#options.invalid) throw new InvalidTimestampError(value, timestamp, problem);
    this.#options.invalid({ value, timestamp, reason: problem });
  }

  #lateRecord(element: StreamRecord<T>, down: EntryDownstream<T>): void {
    this.counters.add('lateRecords');
    if (this.#options.late) this.#options.late(element);
    else down.element(element);
  }

  /** Processes a batch of values into a fused chain's next operator (src/window/fused-window.ts). */
  processValuesTo(values: readonly T[], down: EntryDownstream<T>): void {
    if (this.#bound >= 0 && down.run !== undefined) this.#boundedRunsTo(values, down);
    else for (let i = 0; i < values.length; i++) this.processValueTo(values[i]!, down);
    this.endOfBatchTo(down);
  }

  /**
   * After an input batch, into a fused chain's next operator (src/window/fused-window.ts): the
   * periodic emission if the cadence is 'batch' (a watermark only if it rose), then the timer's
   * emission if its period has passed (a synchronous source never lets the timer run).
   */
  endOfBatchTo(down: EntryDownstream<T>): void {
    if (this.#onBatch) {
      this.#out = down;
      this.#generator.onPeriodicEmit(this.#output);
      this.#out = undefined;
    }
    if (this.#periodic) this.#emitPeriodicIfDue(down);
  }

  /** Runs the generator's periodic emission if `period` has passed since the last one. */
  emitPeriodicIfDue(out: StreamElement<T>[]): void {
    this.#emitPeriodicIfDue(this.arrayOf(out));
  }

  #emitPeriodicIfDue(down: EntryDownstream<T>): void {
    if (!this.#periodic) return;
    const now = this.#time.now();
    if (now < this.#nextPeriodicEmit) return;
    this.#out = down;
    this.#generator.onPeriodicEmit(this.#output);
    this.#out = undefined;
    this.#nextPeriodicEmit = now + this.#period;
  }

  /** End of input: active again if idle, then the end-of-stream watermark. */
  end(out: StreamElement<T>[]): void {
    this.endTo(this.arrayOf(out));
  }

  /**
   * `end` into a fused chain's next operator (src/window/fused-window.ts): `dispose`, active again if idle, then the
   * end-of-stream watermark (+Infinity) unless it was sent already.
   */
  endTo(down: EntryDownstream<T>): void {
    this.#out = down;
    this.dispose();
    if (this.#idle) this.#setIdle(false);
    if (this.#run.watermark < MAX_WATERMARK) {
      this.#run.watermark = MAX_WATERMARK;
      down.element(END_OF_STREAM);
    }
    this.#out = undefined;
  }

  /**
   * Cancels the periodic-emission timer on the injected scheduler: no periodic watermark follows.
   * Called by `end`, and by the adapter when the subscription ends.
   */
  dispose(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#nextPeriodicEmit = Infinity;
  }

  #schedulePeriodic(at: number): void {
    this.#nextPeriodicEmit = at;
    this.#cancelTimer = this.#time.schedule<T, undefined>(at, (out) => {
      this.emitPeriodicIfDue(out);
      if (this.#nextPeriodicEmit !== Infinity) this.#schedulePeriodic(this.#nextPeriodicEmit);
    });
  }

  #setIdle(idle: boolean, caller = 'markActive'): void {
    const out = this.#outFor(caller);
    if (this.#idle === idle) return;
    this.#idle = idle;
    out.element(idle ? IDLE : ACTIVE);
  }

  #outFor(caller: string): EntryDownstream<T> {
    const out = this.#out;
    if (out === undefined) throw new WatermarkOutputClosedError(caller);
    return out;
  }
}
