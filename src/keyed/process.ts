import type { OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamRecord, Watermark } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import type { OperatorRuntime, Output, StreamOperator } from '../core/operator.js';
import { fromStreamOperator, type SchedulerOption } from '../rx/operator-function.js';
import { MIN_WATERMARK } from '../core/elements.js';
import { ContextImpl, type ProcessContext } from './process-context.js';

/** Your logic per record on a stream that need not be keyed (Flink's ProcessFunction). */
export interface ProcessFunction<T, R> {
  /**
   * Called for each record, with its value. Emit with `ctx.output` (the output gets the record's
   * timestamp) or `ctx.sideOutput`, only while the call runs; an error it throws fails the stream.
   */
  processElement(value: T, ctx: ProcessContext<R>): void;
}

/**
 * The engine side of `processValues`, after Flink's ProcessOperator: no key, so no keyed state and
 * no timers (using them throws `NotKeyedError`), but the record's timestamp, the watermark,
 * processing time and side outputs.
 */
export class ProcessOperator<T, K, R> implements StreamOperator<T, K, R, K> {
  /** The name monitoring shows (kept by minifiers, unlike the class name). */
  readonly operatorName = 'Process';
  readonly #fn: ProcessFunction<T, R>;
  readonly #ctx: ContextImpl<K, R>;
  #watermark = MIN_WATERMARK;

  constructor(fn: ProcessFunction<T, R>, runtime: OperatorRuntime) {
    this.#fn = fn;
    this.#ctx = new ContextImpl<K, R>(
      undefined,
      undefined,
      undefined,
      () => runtime.processingTime.now(),
      () => this.#watermark,
    );
  }

  processRecord(record: StreamRecord<T, K>, out: Output<R, K>): void {
    const ctx = this.#ctx;
    ctx.enter(record.key, record.keyGroup, record.timestamp, out);
    try {
      this.#fn.processElement(record.value, ctx);
    } finally {
      ctx.exit();
    }
  }

  processWatermark(watermark: Watermark, out: Output<R, K>): void {
    this.#watermark = watermark.timestamp;
    out.push(watermark);
  }
}

/**
 * Runs your own logic on each record of any timed stream, like Flink's
 * `DataStream.process(ProcessFunction)`: emit zero or more values with the record's timestamp,
 * send values to side outputs, read the watermark and processing time. Keyed state and timers need
 * `keyBy` and `keyedProcess`; used here they throw `NotKeyedError`. (Named `processValues` so that
 * importing it does not shadow Node's global `process`.)
 *
 * @example
 * ```ts
 * const invalid = new SideOutput<Reading>('invalid readings');
 * readings$.pipe(
 *   withEventTime({ timestamp: (r) => r.at, watermarks: monotonousTimestamps() }),
 *   processValues<Reading, number>({
 *     processElement(r, ctx) {
 *       if (Number.isFinite(r.celsius)) ctx.output(r.celsius);
 *       else ctx.sideOutput(invalid, r);
 *     },
 *   }),
 *   toValues(),
 * );
 * ```
 */
export function processValues<T, R, K = undefined>(
  fn: ProcessFunction<T, R>,
  options: SchedulerOption = {},
): OperatorFunction<StreamBatch<T, K>, StreamBatch<R, K>> {
  if (typeof fn !== 'object' || fn === null || typeof fn.processElement !== 'function') {
    throw new InvalidOptionError('fn', fn, 'must be an object with a processElement(value, ctx) method');
  }
  return fromStreamOperator((runtime) => new ProcessOperator<T, K, R>(fn, runtime), options);
}
