/**
 * The window operator's engine, after Flink's WindowOperator / EvictingWindowOperator. Plain
 * TypeScript: no RxJS. See `window.ts` for the RxJS face. This class only dispatches records,
 * watermarks and state to one of two paths, each in a file of its own:
 *
 * - pane-path.ts: tumbling event-time windows with the default trigger and no evictor (the most
 *   common configuration), on a PaneTable (panes.ts): one pane per window start holds every key's
 *   accumulator, and fires whole; with allowed lateness, fired panes stay for late records
 *   (a second pane table, pane-path.ts).
 * - general-path.ts: every other configuration (and state the pane table cannot hold): windows per
 *   key (window-state.ts), timers per window (window-timers.ts), triggers (trigger-context.ts),
 *   session merging (merging-window-set.ts), evictors and firing (window-emit.ts).
 *
 * This file does not import the general path: the descriptors that need it bring its factory
 * (window-path.ts), so a bundle of tumbling windows leaves it out. The configuration is resolved in
 * config.ts, the types are in types.ts, and the state format in window-snapshot.ts; both paths give
 * the same results and export the same state.
 */
import type { Counters } from '../core/counters.js';
import type { ControlElement, StreamBatch, StreamRecord, Watermark } from '../core/elements.js';
import { MAX_WATERMARK } from '../core/elements.js';
import { processElement, type Output, type OperatorRuntime, type StreamOperator } from '../core/operator.js';
import { WindowSetup, type WindowOperatorConfig } from './config.js';
import { PanePath } from './pane-path.js';
import { Pane } from './panes.js';
import { paneRun } from './pane-run.js';
import { paneKeyCount, paneTimerCount } from './pane-state.js';
import type { GeneralPathFactory, GeneralWindows } from './general-windows.js';
import type { WindowResult } from './types.js';
import type { WindowStateAccess } from './state-access.js';
import type { QueryableStateHandle } from '../core/queryable.js';
import { registerOpenWindows } from './queryable-view.js';
import { FIRE_EARLY } from './fire-early.js';
import type { BoundedRun } from '../time/entry-downstream.js';

export {
  DROPPED_LATE,
  LATE_TO_SIDE_OUTPUT,
  type Collector,
  type FusedKeyBy,
  type ProcessWindowFunction,
  type WindowContext,
  type WindowFunction,
  type WindowOperatorState,
  type WindowOptions,
  type WindowResult,
} from './types.js';
export { validateWindowConfig } from './config.js';

/**
 * The engine of `window(...)`: keyed (or, with `keyed: false`, all-in-one) windows with Flink's
 * semantics. Results are records whose value is `{ key, window, value }` and whose timestamp is
 * the window's `end - 1`; they are pushed before the watermark that fired them.
 */
export class WindowOperator<T, K, R> implements StreamOperator<T, K, WindowResult<K, R>, K> {
  /** The name monitoring shows (kept by minifiers, unlike the class name). */
  readonly operatorName = 'Window';
  readonly #setup: WindowSetup<T, K, R>;
  /** The pane table of the common configuration; null for every other, or after restoring state that needs the general path. */
  #panes: PanePath<T, K, R> | null;
  /** The general path: created when the pane table does not apply (from the factory `setup.generalPath`). */
  #general: GeneralWindows<T, K, R> | null;
  readonly #queryable: QueryableStateHandle | undefined;
  /**
   * The operator's state, as the checkpoint runtime's codec (window-codec.ts) exports and restores
   * it: the operator does not link that code, so a bundle without checkpoints leaves it out.
   *
   * @internal
   */
  declare readonly stateAccess: WindowStateAccess;

  /** The id this operator's state is stored under in checkpoints. */
  get uid(): string | undefined {
    return this.#setup.uid ?? undefined;
  }

  constructor(config: WindowOperatorConfig<T, K, R>, runtime: OperatorRuntime) {
    const setup = new WindowSetup(config, runtime);
    this.#setup = setup;
    this.#panes = setup.paned ? new PanePath(setup) : null;
    this.#general = setup.paned ? null : (setup.generalPath as unknown as GeneralPathFactory)(setup);
    const op = this;
    this.stateAccess = {
      kind: 'window',
      setup: setup as WindowSetup<unknown, unknown, unknown>,
      get panes() {
        return op.#panes as PanePath<unknown, unknown, unknown> | null;
      },
      set panes(panes) {
        op.#panes = panes as PanePath<T, K, R> | null;
      },
      get general() {
        return op.#general as GeneralWindows<unknown, unknown, unknown> | null;
      },
      set general(general) {
        op.#general = general as GeneralWindows<T, K, R> | null;
      },
      exports: undefined,
    };
    this.#queryable = registerOpenWindows(config.queryable, this.stateAccess);
  }

  /** The current event-time watermark of this operator. */
  get currentWatermark(): number {
    return this.#setup.watermark;
  }

  /** Number of live windows, over all keys (for tests and monitoring). */
  get windowCount(): number {
    return (this.#panes?.windowCount ?? 0) + (this.#general?.windowCount ?? 0);
  }

  /** What the operator counted (late records dropped or sent to the side output), for monitoring; null if nothing is counted. */
  get counters(): Counters | null {
    return this.#setup.counters;
  }

  /**
   * Number of pending timers, for monitoring: on the pane table, one event-time timer per window
   * (its end, which is also its cleanup time); on the general path, the timer service's.
   */
  get timerCount(): number {
    return (this.#panes !== null ? paneTimerCount(this.#panes.access) : 0) + (this.#general?.timerCount ?? 0);
  }

  /** Number of keys with at least one live window. */
  get keyCount(): number {
    if (this.#panes !== null) return paneKeyCount(this.#panes.access);
    return this.#general?.keyCount ?? 0;
  }

  processBatch(batch: StreamBatch<T, K>, out: Output<WindowResult<K, R>, K>): void {
    for (let i = 0; i < batch.length; i++) {
      const element = batch[i]!;
      if (element.kind === 'record') this.processRecord(element, out);
      else processElement(this, element, out);
    }
    this.batchDone();
  }

  /**
   * Tells the queryable view (if any) that the open windows may have changed: once per input batch,
   * by `processBatch` and by a fused chain after each input, rather than once per record.
   */
  batchDone(): void {
    this.#queryable?.changed();
  }

  processRecord(record: StreamRecord<T, K>, out: Output<WindowResult<K, R>, K>): void {
    const panes = this.#panes;
    if (panes === null) {
      this.#general!.processRecord(record, out);
      return;
    }
    const selectKey = this.#setup.selectKey;
    if (selectKey !== null) panes.processValue(record.value, record.timestamp, selectKey, out);
    else panes.processRecord(record, out);
  }

  /**
   * A record as value and timestamp, keyed here by the fused keyBy: what a fused chain's entry hands
   * over (src/window/event-time-window-chain.ts), with no record object per value. The hot path of the common configuration.
   */
  processValue(value: T, timestamp: number, out: Output<WindowResult<K, R>, K>): void {
    const panes = this.#panes;
    const selectKey = this.#setup.selectKey;
    if (panes === null || selectKey === null) {
      this.#general!.processRecord({ kind: 'record', value, timestamp, key: undefined as K, keyGroup: -1 }, out);
      return;
    }
    panes.processValue(value, timestamp, selectKey, out);
  }

  /**
   * A fused chain's run of values (EntryDownstream.run): on the pane table in one loop. The general
   * path takes none: the entry then hands over the first value alone (its timestamp in `run.stopTs`,
   * as the contract asks) and calls again for the rest, value by value, which a run loop of its own
   * here would only repeat (and bring to every window bundle).
   *
   * @internal
   */
  processRun(values: readonly T[], from: number, run: BoundedRun<T>, out: Output<WindowResult<K, R>, K>): number {
    const selectKey = this.#setup.selectKey;
    const panes = this.#panes;
    if (panes !== null && selectKey !== null) {
      const { table, columns } = panes.access;
      return paneRun(panes, table, columns, this.#setup.watermark, values, from, run, selectKey, out);
    }
    run.stopTs = run.extract(values[from]!);
    return from;
  }

  processWatermark(wm: Watermark, out: Output<WindowResult<K, R>, K>): void {
    this.advanceWatermark(wm.timestamp, out);
    out.push(wm);
  }

  /**
   * Results go to `values` as plain WindowResults, in order, instead of as records into `out`: the
   * chain of a fused `toValues` (event-time-window-chain.ts) hands them to the user as they are, a fired pane of
   * the pane table for its results (`deliver`). null: records.
   *
   * @internal
   */
  emitValuesTo(values: (WindowResult<K, R> | Pane)[] | null): void {
    this.#setup.values = values;
  }

  /**
   * Hands `to` what `emitValuesTo`'s array holds at `held`: a result, or a fired pane's (PanePath.deliver); returns their count.
   *
   * @internal
   */
  deliver(held: WindowResult<K, R> | Pane, to: { next(result: WindowResult<K, R>): void }): number {
    if (!(held instanceof Pane)) {
      to.next(held);
      return 1;
    }
    return this.#panes!.deliver(held as Pane<never>, to);
  }

  /** Advances event time to `time` and fires what is due, without forwarding a watermark element. */
  advanceWatermark(time: number, out: Output<WindowResult<K, R>, K>): void {
    const setup = this.#setup;
    if (time > setup.watermark) {
      setup.watermark = time;
      this.#queryable?.changed();
      const panes = this.#panes;
      // (A watermark per event mostly fires nothing: the check is kept out of the call.)
      if (panes !== null) {
        if (panes.nextDue <= time) panes.fire(time, out);
      }
      const general = this.#general;
      if (general !== null) general.advanceEventTime(time, out);
      if (time === MAX_WATERMARK && setup.eventTime) {
        panes?.clear(); // (all fired: no pane ends after the end of time)
        general?.endOfEventTime();
      }
    }
  }

  /** The fire-early control element (fire-early.ts) fires the open windows as EARLY panes; every control element is forwarded. */
  processControl(control: ControlElement, out: Output<WindowResult<K, R>, K>): void {
    if (control.type === FIRE_EARLY) {
      this.#panes?.fireEarly(out);
      this.#general?.fireEarly(out);
    }
    out.push(control);
  }

  dispose(): void {
    this.#general?.dispose();
    this.#queryable?.close();
  }
}
