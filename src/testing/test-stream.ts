import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import type { CheckpointableSource } from '../checkpoint/checkpointing-options.js';
import type { SourceCheckpointLink } from '../core/source-link.js';
import { MIN_WATERMARK, record, type StreamBatch, type StreamElement } from '../core/elements.js';
import { InvalidOptionError, InvalidTimestampError } from '../core/errors.js';
import { WatermarkRegressionError, TestStreamStepError } from './errors.js';
import { runSteps, type TestStreamStep } from './step-runner.js';
// Flink's and Beam's TimestampedValue: the evictors' type; a `record(...)` is one too.
import type { TimestampedValue } from '../window/evictors.js';

/**
 * A value at an event timestamp, for `testStream().addElements(...)`.
 *
 * @example
 * ```ts
 * testStream<string>().addElements(timestamped('a', 5), timestamped('b', 7));
 * ```
 */
export function timestamped<T>(value: T, timestamp: number): TimestampedValue<T> {
  return { value, timestamp };
}

/** Options of `testStream`. */
export interface TestStreamOptions {
  /**
   * Where the steps run. Default `asyncScheduler`, which `TestScheduler.run` makes virtual; pass a
   * `TestScheduler` to flush it by hand (with `await` between flushes, for checkpoint I/O).
   */
  scheduler?: SchedulerLike;
}

/**
 * A scripted input for tests of RxJS pipelines, after Apache Beam's `TestStream`: elements with
 * timestamps, watermark advances, processing-time advances, the end of event time and a
 * checkpoint-and-restore point, in the order written.
 *
 * It emits the library's timed stream (batches of `StreamElement`s), so it goes straight into
 * `keyBy`, `window`, `keyedProcess`, `mergeTimed`...: no `withEventTime` behind it. The watermarks
 * are exactly the ones written (there is no periodic watermark and no 200 ms grid).
 *
 * Timing: each step comes one frame of the scheduler after the previous one, so under
 * `TestScheduler.run` step `n` happens at frame `n`; `advanceProcessingTime(ms)` replaces that frame
 * by `ms` frames and emits nothing. Each `addElements` is one batch. The stream completes at the
 * frame of its last step (the downstream operators then end event time, as at any completion);
 * `advanceWatermarkToInfinity()` ends event time explicitly. In a marble, remember that a group
 * `(ab)` takes as many frames as it has characters: expect `'(ab)'` only where the next emission is
 * at least 4 frames later, or assert the batches themselves, which keep one frame per step.
 *
 * Checkpoints: a test stream is a checkpointable source (`checkpoints.source(id, stream)`), whose
 * position is the index of its next step, and `resumeAt(position)` resumes it. At
 * `checkpointAndRestore()` the stream halts: run it with `runWithRestore`, which snapshots and
 * restores the pipeline there synchronously, frame-exact; or, with `startCheckpointing`, await
 * `checkpoints.checkpoint()`, unsubscribe, and restore from the backend (see `runWithRestore`).
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
 * scheduler.run(({ expectObservable }) => {
 *   const input = testStream<string>()
 *     .addElements(timestamped('a', 1), timestamped('b', 2)) // frame 0
 *     .advanceWatermarkTo(999)                                // frame 1: [0, 1000) fires
 *     .addElements(timestamped('c', 1500))                    // frame 2
 *     .advanceWatermarkToInfinity();                          // frame 3: [1000, 2000) fires
 *   const counts = input.pipe(keyBy(() => 'all'), window(tumblingEventTimeWindows(1000)).aggregate(count()), toValues());
 *   expectObservable(counts.pipe(map((r) => r.value))).toBe('-x-(y|)', { x: 2, y: 1 });
 * });
 * ```
 */
export function testStream<T>(options: TestStreamOptions = {}): TestStream<T> {
  return new TestStream<T>([], options.scheduler ?? asyncScheduler, 0);
}

/**
 * The Observable `testStream()` builds: immutable, each builder method returns a new stream with one
 * more step. Every subscription runs the steps anew.
 */
export class TestStream<T> extends Observable<StreamBatch<T>> implements CheckpointableSource<StreamElement<T>> {
  /** The steps, in order. */
  readonly steps: readonly TestStreamStep<T>[];
  /** Where the steps run. */
  readonly scheduler: SchedulerLike;
  /** Index of the first step a subscription runs (see `resumeAt`). */
  readonly start: number;

  /** Build one with `testStream()` and its methods, which check each step. */
  constructor(steps: readonly TestStreamStep<T>[], scheduler: SchedulerLike, start: number) {
    super((subscriber) => runSteps(subscriber, { steps, from: start, scheduler }));
    this.steps = steps;
    this.scheduler = scheduler;
    this.start = start;
  }

  /** The watermark after the steps written so far (-Infinity before any). */
  get currentWatermark(): number {
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const step = this.steps[i]!;
      if (step.kind === 'watermark') return step.watermark;
    }
    return MIN_WATERMARK;
  }

  /**
   * Adds one batch of records, at the next frame. Timestamps are integer ms; they may be at or
   * below the current watermark, which makes the records late (that is how late data is tested).
   *
   * @example
   * ```ts
   * testStream<string>().addElements({ value: 'a', timestamp: 5 }, timestamped('b', 7));
   * ```
   */
  addElements(...elements: readonly TimestampedValue<T>[]): TestStream<T> {
    const records = elements.map((element) => {
      const timestamp: unknown = (element as Partial<TimestampedValue<T>> | null)?.timestamp;
      if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp)) {
        throw new InvalidTimestampError(
          element,
          timestamp,
          'addElements takes { value, timestamp } with a timestamp in integer ms (timestamped(value, ms) builds one)',
        );
      }
      return record(element.value, timestamp);
    });
    return this.#with({ kind: 'elements', records });
  }

  /**
   * Advances the watermark to `watermark` (integer ms) at the next frame: no record with a timestamp
   * at or below it is expected any more (Flink's meaning), so event-time windows and timers up to it
   * fire. Forward only, as Beam's builder: a smaller watermark fails with `WatermarkRegressionError`.
   *
   * @example
   * ```ts
   * testStream<string>().addElements(timestamped('a', 5)).advanceWatermarkTo(999);
   * ```
   */
  advanceWatermarkTo(watermark: number): TestStream<T> {
    if (typeof watermark !== 'number' || !Number.isSafeInteger(watermark)) {
      throw new InvalidOptionError(
        'watermark',
        watermark,
        'must be an integer number of ms (use advanceWatermarkToInfinity() to end event time)',
      );
    }
    const current = this.currentWatermark;
    if (watermark < current) throw new WatermarkRegressionError(watermark, current);
    return this.#with({ kind: 'watermark', watermark });
  }

  /**
   * Lets `ms` of processing time pass before the next step (a positive integer, as in Beam): the
   * scheduler's clock moves, so processing-time timers and windows due in between fire.
   *
   * @example
   * ```ts
   * testStream<string>().addElements(timestamped('a', 5)).advanceProcessingTime(1000);
   * ```
   */
  advanceProcessingTime(ms: number): TestStream<T> {
    if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 1) {
      throw new InvalidOptionError('ms', ms, 'must be a positive integer number of ms of processing time');
    }
    return this.#with({ kind: 'processingTime', ms });
  }

  /**
   * Ends event time at the next frame: every event-time window and timer fires, then the stream
   * completes. Nothing can follow it.
   *
   * @example
   * ```ts
   * testStream<string>().addElements(timestamped('a', 5)).advanceWatermarkToInfinity();
   * ```
   */
  advanceWatermarkToInfinity(): TestStream<T> {
    return this.#with({ kind: 'watermark', watermark: Infinity });
  }

  /**
   * Takes a checkpoint here, tears the pipeline down, and restores a new one from the checkpoint,
   * which continues with the next step one frame later. Runs under `runWithRestore`, or halts a
   * stream declared to `startCheckpointing` (the test then checkpoints and restores); a plain
   * subscription fails at this step with `TestStreamStepError`.
   *
   * @example
   * ```ts
   * testStream<string>().addElements(timestamped('a', 5)).checkpointAndRestore().addElements(timestamped('b', 6));
   * ```
   */
  checkpointAndRestore(): TestStream<T> {
    return this.#with({ kind: 'checkpointAndRestore' });
  }

  /**
   * The same steps, run from `position` (a position a checkpoint stored: the index of the next
   * step); undefined runs them from the start.
   *
   * @example
   * ```ts
   * const input = testStream<number>().addElements(timestamped(1, 10)).checkpointAndRestore().addElements(timestamped(2, 20));
   * checkpoints.source('input', input.resumeAt(checkpoints.position<number>('input')));
   * ```
   */
  resumeAt(position: number | undefined): TestStream<T> {
    const start = position ?? 0;
    if (!Number.isSafeInteger(start) || start < 0 || start > this.steps.length) {
      throw new InvalidOptionError(
        'position',
        position,
        `must be the index of a step of this test stream (0 to ${this.steps.length})`,
      );
    }
    return new TestStream(this.steps, this.scheduler, start);
  }

  /**
   * This stream as a source of a checkpointed pipeline (used by `Checkpointing.source`): barriers
   * and the restore marker arrive between two steps, as elements.
   */
  withCheckpoints(link: SourceCheckpointLink): Observable<readonly StreamElement<T>[]> {
    return new Observable<StreamBatch<T>>((subscriber) =>
      runSteps(subscriber, { steps: this.steps, from: this.start, scheduler: this.scheduler, link }),
    );
  }

  #with(step: TestStreamStep<T>): TestStream<T> {
    const last = this.steps.at(-1);
    if (last?.kind === 'watermark' && last.watermark === Infinity) {
      throw new TestStreamStepError(
        this.steps.length,
        step.kind,
        'comes after advanceWatermarkToInfinity(), which ends the stream',
      );
    }
    return new TestStream([...this.steps, step], this.scheduler, this.start);
  }
}
