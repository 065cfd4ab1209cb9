/**
 * Rules 2 and 3 of fused-window.ts: `withEventTime(Batches) → keyBy → window [→ toValues]` as one loop over
 * each input. The entry hands value and timestamp straight to the window operator, which keys the
 * value itself (the fused keyBy) and adds it to its window; a watermark reaches the window operator
 * as a number. With `valuesOnly` (a fused toValues), the results go to the subscriber as the plain
 * WindowResults the user receives, and nothing else is emitted (toValues drops every other element).
 *
 * Same elements, same order, same results as the three (four) operators apart: markers from a pulled
 * source (barriers, restore, end of input), periodic timers, late and invalid values go through the
 * same operator methods, as element arrays.
 */
import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import type { StreamBatch, StreamElement } from '../core/elements.js';
import { processBatch, processElement, type OperatorRuntime } from '../core/operator.js';
import { schedulerProcessingTime } from '../rx/processing-time.js';
import { attachProbe, OperatorProbe } from '../core/metrics/probe.js';
import type { BoundedRun, EntryDownstream } from '../time/entry-downstream.js';
import { runEntry, type EntryChain, type EntryStage } from '../time/withEventTime.js';
import type { WindowOperator, WindowResult } from './operator.js';
import type { Pane } from './panes.js';

type Out<K, R> = StreamElement<WindowResult<K, R>, K>[];

export function eventTimeWindowChain<T, K, R>(
  stage: EntryStage,
  createWindow: (runtime: OperatorRuntime) => WindowOperator<T, K, R>,
  scheduler: SchedulerLike | undefined,
  valuesOnly: boolean,
): Observable<StreamBatch<WindowResult<K, R>, K> | WindowResult<K, R>> {
  return new Observable<StreamBatch<WindowResult<K, R>, K> | WindowResult<K, R>>((subscriber) =>
    // The entry's loop (runEntry) with the window operator after it.
    runEntry<T>(stage, subscriber, (fail): EntryChain<T> => {
      // What the window operator produces: records (or, valuesOnly, watermarks and markers only: its
      // results then go to `values`).
      let out: Out<K, R> = [];
      let values: (WindowResult<K, R> | Pane)[] = [];
      const flush = (): void => {
        if (valuesOnly) {
          if (out.length !== 0) out.length = 0; // toValues drops every element that is not a result (setting length is a call)
          if (values.length === 0) return;
          const ready = values;
          values = [];
          window.emitValuesTo(values);
          let n = 0;
          for (let i = 0; i < ready.length; i++) n += window.deliver(ready[i]!, subscriber);
          probe.recordsOut += n;
        } else if (out.length > 0) {
          const ready = out;
          out = [];
          probe.emitted(ready);
          subscriber.next(ready);
        }
      };
      // Mostly nothing to send after one value: the check is kept out of the call, so that V8 does
      // not spend on `flush` the inlining budget the value's own path needs (ValuesDownstream.value).
      const emit = (): void => {
        window.batchDone();
        if (out.length !== 0 || values.length !== 0) flush();
      };
      const windowTime = schedulerProcessingTime<WindowResult<K, R>, K>(
        scheduler ?? asyncScheduler,
        (timerOut) => {
          for (let i = 0; i < timerOut.length; i++) out.push(timerOut[i]!);
          emit();
        },
        fail,
      );
      const window = createWindow({ processingTime: windowTime.service });
      // One node of the job graph for the chain, as Flink shows a chain of operators as one task.
      const probe = attachProbe(
        window,
        new OperatorProbe('withEventTime → keyBy → Window', 'chain', window.uid ?? null, window),
      );
      if (valuesOnly) window.emitValuesTo(values);
      return {
        operator: window,
        probe,
        down: valuesOnly
          ? new ValuesDownstream(window, out)
          : {
              record: (value, timestamp) => window.processValue(value, timestamp, out),
              watermark: (timestamp) => window.processWatermark({ kind: 'watermark', timestamp }, out),
              element: (element) => processElement(window, element as StreamElement<T, K>, out),
            },
        elements: (elements) => processBatch(window, elements as StreamBatch<T, K>, out),
        emit,
        dispose: () => {
          windowTime.cancelAll();
          window.dispose();
        },
      };
    }),
  );
}

class ValuesDownstream<T, K, R> implements EntryDownstream<T> {
  readonly #window: WindowOperator<T, K, R>;
  readonly #out: Out<K, R>;
  constructor(window: WindowOperator<T, K, R>, out: Out<K, R>) {
    this.#window = window;
    this.#out = out;
  }
  record(value: T, timestamp: number): void {
    this.#window.processValue(value, timestamp, this.#out);
  }
  // A run's watermarks as one: nothing forwards them past the fused toValues, and the run's values
  // are all above each (none late), so they fire the same panes in the same order (pane-run.ts).
  run(values: readonly T[], from: number, run: BoundedRun<T>): number {
    return this.#window.processRun(values, from, run, this.#out);
  }
  /**
   * EntryDownstream.value: the entry's watermark rule (`#valueTo` in timestamps-and-watermarks.ts) in
   * the body that hands the window the value (and so, inlined, its pane, key and fold:
   * PanePath.processValue), with no call between them that would box the timestamp (a double). A
   * watermark calls nothing unless it rises. Late, invalid, or with a watermark that is not a safe
   * integer, the value is left to the entry.
   */
  value(value: T, run: BoundedRun<T>): boolean {
    const t = run.extract(value);
    if (!(Number.isSafeInteger(t) && t > run.watermark && (t <= run.max || Number.isSafeInteger(t - run.bound - 1)))) {
      run.stopTs = t;
      return false;
    }
    this.#window.processValue(value, t, this.#out);
    if (t > run.max) {
      run.max = t;
      const watermark = t - run.bound - 1;
      if (watermark > run.watermark) {
        run.watermark = watermark;
        this.watermark(watermark);
      }
    }
    return true;
  }
  watermark(timestamp: number): void {
    this.#window.advanceWatermark(timestamp, this.#out);
  }
  element(element: StreamElement<T>): void {
    processElement(this.#window, element as StreamElement<T, K>, this.#out);
  }
}
