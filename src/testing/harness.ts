import type { Snapshot } from '../checkpoint/snapshot.js';
import { restoreOperator, snapshotOperator } from '../checkpoint/operator-state.js';
import { hasState } from '../core/checkpointing.js';
import { END_OF_STREAM, type StreamElement } from '../core/elements.js';
import { processElement, type StreamOperator } from '../core/operator.js';
import type { ProcessingTimeService } from '../core/time.js';
import { OperatorChain } from './chain.js';
import { HarnessStateError } from './errors.js';
import { kitCheckpoint, kitRestore, storedSnapshot } from './snapshots.js';

interface PendingTimer {
  readonly time: number;
  readonly seq: number;
  readonly onTimer: (out: StreamElement<unknown, unknown>[]) => void;
  cancelled: boolean;
}

/**
 * Drives an engine operator without RxJS, like Flink's OneInputStreamOperatorTestHarness: feed it
 * elements, move processing time by hand, and read what it emitted, in order. Processing-time timers
 * fire in time order (ties in the order they were scheduled) when `advanceProcessingTime` reaches them.
 *
 * State, as in Flink's AbstractStreamOperatorTestHarness: `snapshot()` takes a checkpoint of the
 * operator (every part of a `chain(...)`, each under its uid) in the stored format; a new harness
 * restores it with `initializeState(snapshot)` before its first element, and the test continues
 * there. Pending processing-time timers are part of the state; the new harness's clock starts at
 * its `startTime`, so pass the old harness's `now` to continue in time.
 *
 * @example
 * ```ts
 * // An engine operator (rxflink/engine's StreamOperator) that upper-cases each record's value.
 * const upperCase = (): StreamOperator<string, undefined, string, undefined> => ({
 *   processRecord: (r, out) => { out.push({ ...r, value: r.value.toUpperCase() }); },
 * });
 * const harness = new OperatorHarness(upperCase);
 * harness.process(record('a', 5), watermark(10));
 * expect(harness.takeOutput()).toEqual([record('A', 5), watermark(10)]);
 * ```
 */
export class OperatorHarness<I, KI, O, KO> {
  readonly operator: StreamOperator<I, KI, O, KO>;
  #now: number;
  #seq = 0;
  #timers: PendingTimer[] = [];
  #output: StreamElement<O, KO>[] = [];
  #started = false;
  #checkpoints = 0;

  constructor(
    create: (runtime: { processingTime: ProcessingTimeService }) => StreamOperator<I, KI, O, KO>,
    options: { startTime?: number } = {},
  ) {
    this.#now = options.startTime ?? 0;
    const processingTime: ProcessingTimeService = {
      now: () => this.#now,
      schedule: <TO, TKO>(time: number, onTimer: (out: StreamElement<TO, TKO>[]) => void) => {
        const timer: PendingTimer = {
          time,
          seq: this.#seq++,
          onTimer: onTimer as unknown as PendingTimer['onTimer'],
          cancelled: false,
        };
        this.#timers.push(timer);
        return () => {
          timer.cancelled = true;
        };
      },
    };
    this.operator = create({ processingTime });
  }

  /** Processes elements in order; their output is appended to `output`. */
  process(...elements: StreamElement<I, KI>[]): this {
    this.#started = true;
    for (const element of elements) processElement(this.operator, element, this.#output);
    return this;
  }

  /** Processes the end-of-stream watermark, as the RxJS adapter does on completion. */
  end(): this {
    return this.process(END_OF_STREAM);
  }

  /** The current processing time. */
  get now(): number {
    return this.#now;
  }

  /** Moves processing time to `time`, firing every due timer in time order. */
  advanceProcessingTime(time: number): this {
    this.#started = true;
    for (;;) {
      const due = this.#timers
        .filter((t) => !t.cancelled && t.time <= time)
        .sort((a, b) => a.time - b.time || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = Math.max(this.#now, due.time);
      due.onTimer(this.#output as unknown as StreamElement<unknown, unknown>[]);
    }
    this.#now = Math.max(this.#now, time);
    return this;
  }

  /**
   * Takes a checkpoint of the operator's state now, as a barrier would (without emitting one), and
   * returns it as a backend would store it: through the checkpoint codec, sharing nothing with the
   * operator. A stateful operator needs a uid (`MissingUidError` otherwise).
   *
   * @example
   * ```ts
   * const first = new OperatorHarness((runtime) => new RollingReduceOperator((a: number, b: number) => a + b, { uid: 'sum' }, runtime));
   * first.process(keyedRecord(1, 1, 'k', keyGroupOf('k')));
   * const snapshot = first.snapshot();
   * const second = new OperatorHarness((runtime) => new RollingReduceOperator((a: number, b: number) => a + b, { uid: 'sum' }, runtime));
   * second.initializeState(snapshot).process(keyedRecord(2, 2, 'k', keyGroupOf('k')));
   * expect(second.recordsOut()).toEqual([[3, 2]]);
   * ```
   */
  snapshot(): Snapshot {
    let completed = false;
    const running = kitCheckpoint(
      ++this.#checkpoints,
      this.#now,
      () => {
        completed = true;
      },
      () => undefined,
    ); // snapshotOperator throws the error itself
    for (const part of this.#parts()) if (hasState(part)) snapshotOperator(part, running);
    running.hold('the harness')();
    if (!completed)
      throw new HarnessStateError(`snapshot() cannot complete: ${running.describeWaiting()} holds the checkpoint`);
    return storedSnapshot(running, 'harness');
  }

  /**
   * Restores state taken by `snapshot()` (or stored by a backend), before the first element. Stored
   * state that no operator of this harness claims is an `UnclaimedStateError`, as in a pipeline.
   */
  initializeState(snapshot: Snapshot): this {
    if (this.#started)
      throw new HarnessStateError(
        'initializeState(snapshot) comes before the first element or time advance of a harness, as in Flink',
      );
    const restore = kitRestore(snapshot);
    for (const part of this.#parts()) if (hasState(part)) restoreOperator(part, restore.source);
    restore.check();
    return this;
  }

  #parts(): readonly StreamOperator<unknown, unknown, unknown, unknown>[] {
    const operator = this.operator as StreamOperator<unknown, unknown, unknown, unknown>;
    return operator instanceof OperatorChain ? operator.parts : [operator];
  }

  /** Number of processing-time timers scheduled and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Everything emitted so far. */
  get output(): readonly StreamElement<O, KO>[] {
    return this.#output;
  }

  /** Returns everything emitted since the last call, and forgets it. */
  takeOutput(): StreamElement<O, KO>[] {
    const out = this.#output;
    this.#output = [];
    return out;
  }

  /** Records emitted so far, as `[value, timestamp]` pairs: handy for table-style assertions. */
  recordsOut(): [O, number][] {
    const rows: [O, number][] = [];
    for (const element of this.#output) if (element.kind === 'record') rows.push([element.value, element.timestamp]);
    return rows;
  }
}

/**
 * Table-style test over the engine: runs `input` through a fresh operator (processing time fixed at
 * `startTime`), then the end of stream unless `end: false`, and returns the output elements.
 */
export function runOperator<I, KI, O, KO>(
  create: (runtime: { processingTime: ProcessingTimeService }) => StreamOperator<I, KI, O, KO>,
  input: readonly StreamElement<I, KI>[],
  options: { end?: boolean; startTime?: number } = {},
): StreamElement<O, KO>[] {
  const harness = new OperatorHarness(create, options);
  harness.process(...input);
  if (options.end !== false) harness.end();
  return harness.takeOutput();
}
