import type { OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamRecord } from '../core/elements.js';
import { Counters } from '../core/counters.js';
import { InvalidOptionError } from '../core/errors.js';
import type { SchedulerOption } from '../rx/operator-function.js';
import { fromStreamOperator } from '../rx/operator-function.js';
import type { SideOutput } from '../rx/side-output.js';
import type { WindowAggregateFunction } from './aggregates.js';
import type { WindowAssigner } from './assigner-types.js';
import type { Evictor } from './evictors.js';
import { fuseWindow, type CreateWindow } from './fused-window.js';
import {
  validateWindowConfig,
  WindowOperator,
  type FusedKeyBy,
  type ProcessWindowFunction,
  type WindowFunction,
  type WindowOptions,
  type WindowResult,
} from './operator.js';
import type { Trigger } from './triggers.js';

/**
 * A window operator as a pipeable RxJS operator, with the counters it reports into. An interface,
 * not an intersection type: TypeScript infers a generic call's type arguments from the operator
 * `pipe` expects only through an interface (that is how `window(...)` learns its key type).
 */
export interface WindowOperatorFunction<T, K, R>
  extends OperatorFunction<StreamBatch<T, K>, StreamBatch<WindowResult<K, R>, K>> {
  /** `droppedLate` and `lateRecordsToSideOutput`, summed over every subscription of this operator. */
  readonly counters: Counters;
}

/** Everything `window(...)` accepts: the window options plus the scheduler for processing time. */
export type WindowConfig<T, K> = WindowOptions<T, K> & SchedulerOption;

/**
 * A windowed stream being configured (Flink's WindowedStream): set trigger, evictor, lateness and
 * the late side output, then finish with `reduce`, `aggregate` or `process`, which return the RxJS
 * operator. Each configuration method returns a new WindowedStream; invalid options throw at once.
 */
export class WindowedStream<T, K> {
  readonly #assigner: WindowAssigner<T>;
  readonly #config: WindowConfig<T, K>;
  readonly #keyed: boolean;

  /** @internal Use `window(...)`, `windowAll(...)` or `countWindow(...)`. */
  constructor(assigner: WindowAssigner<T>, config: WindowConfig<T, K>, keyed: boolean) {
    validateWindowConfig(assigner, config);
    this.#assigner = assigner;
    this.#config = config;
    this.#keyed = keyed;
  }

  /** Replaces the trigger (Flink's `WindowedStream.trigger`). */
  trigger(trigger: Trigger<T>): WindowedStream<T, K> {
    return new WindowedStream(this.#assigner, { ...this.#config, trigger }, this.#keyed);
  }

  /** Sets an evictor (Flink's `WindowedStream.evictor`): the window then keeps all its elements. */
  evictor(evictor: Evictor<T>): WindowedStream<T, K> {
    return new WindowedStream(this.#assigner, { ...this.#config, evictor }, this.#keyed);
  }

  /** Sets the allowed lateness in ms (Flink's `WindowedStream.allowedLateness`). */
  allowedLateness(ms: number): WindowedStream<T, K> {
    return new WindowedStream(this.#assigner, { ...this.#config, allowedLateness: ms }, this.#keyed);
  }

  /** Routes elements late for all their windows to `output` (Flink's `sideOutputLateData`). */
  sideOutputLateData(output: SideOutput<StreamRecord<T, K>>): WindowedStream<T, K> {
    return new WindowedStream(this.#assigner, { ...this.#config, lateOutput: output }, this.#keyed);
  }

  /**
   * Combines the elements of each window with `reduce` as they arrive (Flink's `reduce`); with
   * `process`, the process function receives the one reduced value when the window fires.
   */
  reduce<U extends T, KU extends K = K>(reduce: (a: U, b: U) => U): WindowOperatorFunction<U, KU, U>;
  reduce<U extends T, R, KU extends K = K>(
    reduce: (a: U, b: U) => U,
    process: ProcessWindowFunction<U, R, KU>,
  ): WindowOperatorFunction<U, KU, R>;
  reduce<U extends T, R, KU extends K = K>(
    reduce: (a: U, b: U) => U,
    process?: ProcessWindowFunction<U, R, KU>,
  ): WindowOperatorFunction<U, KU, R | U> {
    if (typeof reduce !== 'function')
      throw new InvalidOptionError('reduce', reduce, 'must be a function (a, b) => combined');
    checkProcess(process);
    const fn =
      process === undefined ? { kind: 'reduce' as const, reduce } : { kind: 'reduce' as const, reduce, process };
    return this.#build<U, KU, R | U>(fn as WindowFunction<U, R | U, KU>);
  }

  /**
   * Aggregates the elements of each window incrementally (Flink's `aggregate`): O(1) state per
   * window. With `process`, the process function receives the one aggregate result.
   */
  aggregate<U extends T, ACC, OUT, KU extends K = K>(
    aggregate: WindowAggregateFunction<U, ACC, OUT>,
  ): WindowOperatorFunction<U, KU, OUT>;
  aggregate<U extends T, ACC, OUT, R, KU extends K = K>(
    aggregate: WindowAggregateFunction<U, ACC, OUT>,
    process: ProcessWindowFunction<OUT, R, KU>,
  ): WindowOperatorFunction<U, KU, R>;
  aggregate<U extends T, ACC, OUT, R, KU extends K = K>(
    aggregate: WindowAggregateFunction<U, ACC, OUT>,
    process?: ProcessWindowFunction<OUT, R, KU>,
  ): WindowOperatorFunction<U, KU, OUT | R> {
    if (
      aggregate === null ||
      typeof aggregate !== 'object' ||
      typeof aggregate.createAccumulator !== 'function' ||
      typeof aggregate.add !== 'function' ||
      typeof aggregate.getResult !== 'function' ||
      typeof aggregate.merge !== 'function'
    ) {
      throw new InvalidOptionError(
        'aggregate',
        aggregate,
        'must implement createAccumulator, add, getResult and merge',
      );
    }
    checkProcess(process);
    const fn = { kind: 'aggregate' as const, aggregate, ...(process === undefined ? {} : { process }) };
    return this.#build<U, KU, OUT | R>(fn as unknown as WindowFunction<U, OUT | R, KU>);
  }

  /**
   * Evaluates each window with all its elements (Flink's `process` with a ProcessWindowFunction):
   * the function gets the elements in arrival order, a context (key, window, watermark, processing
   * time) and a collector for any number of results.
   */
  process<U extends T, R, KU extends K = K>(
    process: ProcessWindowFunction<U, R, KU>,
  ): WindowOperatorFunction<U, KU, R> {
    if (typeof process !== 'function')
      throw new InvalidOptionError('process', process, 'must be a function (elements, context, out) => void');
    return this.#build<U, KU, R>({ kind: 'process', process });
  }

  /**
   * The element type U and key type KU of the finishing methods are inferred where the operator is
   * used (from upstream, inside `pipe`), not where `window(...)` is called, which sees neither.
   */
  #build<U extends T, KU extends K, R>(fn: WindowFunction<U, R, KU>): WindowOperatorFunction<U, KU, R> {
    type K = KU; // from here on, the key type is the one inferred from upstream
    const counters = this.#config.counters ?? new Counters();
    // A trigger or evictor for T also handles any U that extends T.
    const config = {
      ...(this.#config as unknown as WindowConfig<U, K>),
      counters,
      assigner: this.#assigner as WindowAssigner<U>,
      fn,
      keyed: this.#keyed,
    };
    const create: CreateWindow<U, K, R> = (keyBy, runtime) =>
      new WindowOperator<U, K, R>(
        keyBy === undefined ? config : { ...config, keyBy: keyBy as unknown as FusedKeyBy<U, K> },
        runtime,
      );
    // Directly after keyBy (and its entry), a keyed window fuses with them: see fused-window.ts.
    const operator: OperatorFunction<StreamBatch<U, K>, StreamBatch<WindowResult<K, R>, K>> = this.#keyed
      ? (source) => fuseWindow(source, create, this.#config)
      : fromStreamOperator((runtime) => create(undefined, runtime), this.#config);
    return Object.assign(operator, { counters });
  }
}
function checkProcess(process: unknown): void {
  if (process !== undefined && typeof process !== 'function') {
    throw new InvalidOptionError('process', process, 'must be a function (elements, context, out) => void');
  }
}
