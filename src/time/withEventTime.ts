import { asyncScheduler, noop, Observable, type OperatorFunction, type Subscriber, type TeardownLogic } from 'rxjs';
import { Counters } from '../core/counters.js';
import { keepWarm, warmCode } from '../core/warm-code.js';
import { MAX_WATERMARK, markersOf, type StreamBatch, type StreamElement, type StreamRecord } from '../core/elements.js';
import { checkUid, failThroughPipeline } from '../core/checkpointing.js';
import { processElement, type StreamOperator } from '../core/operator.js';
import { countWhenAdopted, UNCOUNTED, type BatchCounter } from '../core/metrics/counting.js';
import { ElementArray, type EntryDownstream } from './entry-downstream.js';
import { schedulerProcessingTime } from '../rx/processing-time.js';
import type { SchedulerOption } from '../rx/operator-function.js';
import type { SideOutput } from '../rx/side-output.js';
import { InvalidOptionError } from '../core/errors.js';
import { perValueEntryError } from './errors.js';
import { checkEventTimeOptions, type InvalidRecord } from './event-time-options.js';
import { TimestampsAndWatermarksOperator } from './timestamps-and-watermarks.js';
import type { WatermarkStrategy } from './watermark-strategy.js';
import type { ProcessingTimeService } from '../core/time.js';
import { markStage, type Stage } from '../rx/stages.js';

export interface EventTimeOptions<T> extends SchedulerOption {
  /** Extracts the event timestamp from a value: milliseconds, a safe integer. */
  timestamp: (value: T) => number;
  /** How watermarks are generated: `boundedOutOfOrderness(ms)`, `monotonousTimestamps()`, ... */
  watermarks: WatermarkStrategy<T>;
  /**
   * Receives values whose timestamp is missing, NaN, infinite, not a number or not an integer.
   * Without it, such a value fails the stream with an `InvalidTimestampError` naming it.
   */
  invalid?: SideOutput<InvalidRecord<T>>;
  /**
   * Receives records whose timestamp is at or behind the watermark this operator already emitted.
   * Without it they are forwarded (downstream windows decide, as in Flink) and counted.
   */
  late?: SideOutput<StreamRecord<T>>;
  /** Counts 'invalidTimestamps' and 'lateRecords'. */
  counters?: Counters;
  /**
   * The id its state (the last watermark) is stored under in checkpoints; required in a checkpointed
   * pipeline, so that after a restore the watermark does not start again from nothing.
   */
  uid?: string;
}

/**
 * The entry of a timed pipeline: gives each value its event timestamp and generates watermarks, as
 * Flink's `assignTimestampsAndWatermarks`. Each value becomes a batch of one record (followed by
 * any watermark it caused); periodic watermarks come from the injected scheduler. When the input
 * completes, the watermark +infinity is emitted (every window and timer downstream fires), then
 * the stream completes.
 *
 * Use `withEventTimeBatches` where values arrive in arrays: one output batch per input array is much
 * faster downstream.
 *
 * Records are forwarded even when they are behind the watermark already emitted (downstream windows
 * decide, as in Flink); they are counted as 'lateRecords' and go to `late` instead if given.
 * Watermarks never go backwards: a generator's proposal that does not advance is dropped.
 *
 * In marble tests: the periodic timer runs as long as the input does, as in Flink. An input that
 * never completes therefore keeps TestScheduler's `run` busy for ever; give `expectObservable` an
 * unsubscription marble (`expectObservable(out, '^ 999ms !')`) or complete the input.
 *
 * @example
 * ```ts
 * const counts$ = clicks$.pipe(
 *   withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(2_000) }),
 *   keyBy((c) => c.page),
 *   mapValues((c) => ({ page: c.page, clicks: 1 })),
 *   rollingReduce((a, b) => ({ page: b.page, clicks: a.clicks + b.clicks })), // running clicks per page
 *   toValues(),
 * );
 * ```
 */
export function withEventTime<T>(options: EventTimeOptions<T>): OperatorFunction<T, StreamBatch<T>> {
  return eventTime<T, T>(options, false);
}

/**
 * Like `withEventTime`, for an input that emits arrays of values (a pulled source's batches): each
 * array becomes one batch of records, with the watermarks they caused in place.
 *
 * @example
 * ```ts
 * fromIterable(clickLog, { batchSize: 1_000 }).pipe(
 *   withEventTimeBatches({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(500) }),
 * );
 * ```
 */
export function withEventTimeBatches<T>(options: EventTimeOptions<T>): OperatorFunction<readonly T[], StreamBatch<T>> {
  return eventTime<T, readonly T[]>(options, true);
}

function eventTime<T, I>(options: EventTimeOptions<T>, batches: boolean): OperatorFunction<I, StreamBatch<T>> {
  // Options fail here, where the pipeline is built; the operator itself (and its timer) only
  // exists per subscription.
  checkEventTimeOptions(options);
  checkUid(options.uid);
  checkSideOutput('invalid', options.invalid);
  checkSideOutput('late', options.late);
  if (options.counters !== undefined && !(options.counters instanceof Counters)) {
    throw new InvalidOptionError('counters', options.counters, 'must be a Counters instance');
  }
  if (
    options.scheduler !== undefined &&
    (options.scheduler === null ||
      typeof options.scheduler.now !== 'function' ||
      typeof options.scheduler.schedule !== 'function')
  ) {
    throw new InvalidOptionError(
      'scheduler',
      options.scheduler,
      'must be an RxJS SchedulerLike (asyncScheduler, a TestScheduler, ...)',
    );
  }
  return (source) => {
    // Marked so that a chain right after it can run the entry itself (src/window/fused-window.ts).
    const stage: EntryStage = { kind: 'entry', source, batches, options: options as EventTimeOptions<unknown> };
    return markStage(new Observable<StreamBatch<T>>((subscriber) => runEntry(stage, subscriber)), stage);
  };
}

/**
 * What follows the entry in a fused chain (src/window/event-time-window-chain.ts): the operator
 * that takes its values, and how its output leaves.
 */
export interface EntryChain<T> {
  /** The chain's last operator: failures are reported through it, as the pipeline link knows it. */
  readonly operator: object;
  /** What the chain counts into: `UNCOUNTED` until a collector adopts it (core/metrics/counting.ts). */
  probe: BatchCounter;
  /** Where the entry's values and watermarks go. */
  readonly down: EntryDownstream<T>;
  /** Elements the entry emitted apart from values: its timers' output, markers. */
  elements(elements: StreamElement<T>[]): void;
  /** After each input or timer: sends on what is ready. */
  emit(): void;
  dispose(): void;
}

/**
 * Runs an entry over its stage's source for one subscriber: with `chain`, the operators fused after
 * it take its output; without, its elements go to the subscriber as batches (`withEventTime`). One
 * loop for both shapes, so a fused pipeline and the operators it stands for read their input alike.
 *
 * @example
 * ```ts
 * // internal: new Observable((subscriber) => runEntry(stage, subscriber, (fail) => windowAfterEntry))
 * ```
 */
export function runEntry<T>(
  stage: EntryStage,
  subscriber: Subscriber<never>,
  chain?: (fail: (error: unknown) => void) => EntryChain<T>,
): TeardownLogic {
  const options = stage.options as EventTimeOptions<T>;
  const batches = stage.batches;
  let next: EntryChain<T>;
  const fail = failThroughPipeline(() => next.operator, subscriber);
  if (chain !== undefined) {
    try {
      next = chain(fail);
    } catch (error) {
      subscriber.error(error);
      return;
    }
  }
  const time = schedulerProcessingTime<T, undefined>(
    options.scheduler ?? asyncScheduler,
    (elements) => {
      try {
        next.elements(elements);
      } catch (error) {
        fail(error);
        return;
      }
      next.emit();
    },
    fail,
  );
  const entry = createEntry(options, time.service);
  next ??= elementsOf(entry, subscriber as Subscriber<StreamBatch<T>>);
  const down = next.down;
  const subscription = stage.source.subscribe({
    next: (input) => {
      const probe = next.probe;
      const start = probe.begin();
      const markers = markersOf(input as T | readonly T[]);
      try {
        if (markers !== undefined) {
          const elements: StreamElement<T>[] = [];
          processMarkers(entry, markers, elements);
          next.elements(elements);
        } else if (batches) {
          entry.processValuesTo(input as readonly T[], down);
        } else {
          entry.processValueTo(input as T, down);
          entry.endOfBatchTo(down);
        }
      } catch (error) {
        fail(batches ? error : perValueEntryError(input, error));
        return;
      }
      probe.endValues(start, markers !== undefined ? 0 : batches ? (input as readonly T[]).length : 1);
      next.emit();
    },
    // A fused chain reports its source's failure as its own; the entry alone passes it on.
    error: chain !== undefined ? fail : (error: unknown) => subscriber.error(error),
    complete: () => {
      try {
        entry.endTo(down);
      } catch (error) {
        fail(error);
        return;
      }
      next.emit();
      subscriber.complete();
    },
  });
  return () => {
    subscription.unsubscribe();
    time.cancelAll();
    entry.dispose();
    next.dispose();
    keepWarm(entry, next);
    // The maps of RxJS's subscriber of a function, which the results path's code holds (core/warm-code.ts).
    warmCode.subscriber ??= new Observable<never>(noop).subscribe(noop);
  };
}

/** The entry alone: its elements go to the subscriber as batches. */
function elementsOf<T>(
  entry: TimestampsAndWatermarksOperator<T>,
  subscriber: Subscriber<StreamBatch<T>>,
): EntryChain<T> {
  const down = new ElementArray<T>();
  const chain: EntryChain<T> = {
    operator: entry,
    probe: UNCOUNTED,
    down,
    elements: (elements) => {
      for (let i = 0; i < elements.length; i++) down.out.push(elements[i]!);
    },
    emit() {
      const out = down.out;
      if (out.length === 0) return;
      down.out = [];
      this.probe.emitted(out);
      subscriber.next(out);
    },
    dispose() {},
  };
  countWhenAdopted(entry, (counter) => {
    chain.probe = counter;
  });
  return chain;
}

/**
 * What `withEventTime` / `withEventTimeBatches` say they are (src/rx/stages.ts): the plain values
 * (or arrays of values, for `batches`) the entry reads and how it times them, for a chain that runs
 * the entry itself (src/window/fused-window.ts).
 */
export interface EntryStage extends Stage {
  readonly kind: 'entry';
  readonly source: Observable<unknown>;
  readonly batches: boolean;
  readonly options: EventTimeOptions<unknown>;
}

/** The entry operator of `withEventTime(options)`, for one subscription. */
function createEntry<T>(options: EventTimeOptions<T>, time: ProcessingTimeService): TimestampsAndWatermarksOperator<T> {
  return new TimestampsAndWatermarksOperator<T>(
    {
      timestamp: options.timestamp,
      watermarks: options.watermarks,
      invalid: options.invalid && ((invalid) => options.invalid!.emit(invalid)),
      late: options.late && ((late) => options.late!.emit(late)),
      counters: options.counters,
      uid: options.uid,
    },
    time,
  );
}

/**
 * Turns the in-band elements a source sent in a marker batch into elements of the timed stream: the
 * end of input ends event time here, a barrier stores this operator's state (its watermark) first,
 * a restore marker gives it back.
 */
function processMarkers<T>(
  operator: TimestampsAndWatermarksOperator<T>,
  markers: readonly StreamElement<never, never>[],
  out: StreamElement<T>[],
): void {
  // Markers carry no records, so the entry takes part like any engine operator: processElement
  // snapshots or restores it and forwards the element in place.
  const asOperator = operator as unknown as StreamOperator<never, never, T, undefined>;
  for (const element of markers) {
    if (element.kind === 'watermark' && element.timestamp === MAX_WATERMARK) operator.end(out);
    else processElement(asOperator, element, out);
  }
}

function checkSideOutput(option: string, output: unknown): void {
  if (output === undefined) return;
  if (output === null || typeof output !== 'object' || typeof (output as { emit?: unknown }).emit !== 'function') {
    throw new InvalidOptionError(option, output, 'must be a SideOutput, e.g. new SideOutput<...>()');
  }
}
