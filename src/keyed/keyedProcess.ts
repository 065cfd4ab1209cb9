import { checkUid, type PendingCheckpoint } from '../core/checkpointing.js';
import { defineOwn } from '../core/plain-data.js';
import { checkMaxParallelism, type KeyedTableSnapshot, type OperatorStateSnapshot } from '../core/state-snapshot.js';
import type { OperatorFunction } from 'rxjs';
import {
  MAX_WATERMARK,
  type StreamBatch,
  type StreamElement,
  type StreamRecord,
  type Watermark,
} from '../core/elements.js';
import { Counters } from '../core/counters.js';
import { InvalidOptionError, NotKeyedError } from '../core/errors.js';
import { keyId, type Key } from '../core/keys.js';
import type { OperatorRuntime, Output, StreamOperator } from '../core/operator.js';
import { fromStreamOperator, type SchedulerOption } from '../rx/operator-function.js';
import { KeyedStateBackend } from '../state/backend.js';
import { timerColumnsAsRows } from '../state/format-migration.js';
import type {
  KeyedRestoreOptions,
  KeyedStateCheckpoint,
  KeyedStateHeader,
  KeyedStateSnapshot,
} from '../state/snapshot-types.js';
import { StateRestoreError } from '../state/errors.js';
import { keyFromId } from '../state/key-id.js';
import { EVENT_TIME_ROWS, InternalTimerService, PROCESSING_TIME_ROWS, type InternalTimer } from '../state/timers.js';
import { ContextImpl, type KeyedProcessContext, type OnTimerContext } from './process-context.js';
import type { QueryableOption, QueryableStateHandle } from '../core/queryable.js';
import { registerKeyedState } from './queryable-view.js';

/**
 * The user's logic per key (Flink's KeyedProcessFunction). Keep per-key data in keyed state
 * (`ctx.getState(...)`), not in the object: only keyed state is exported, imported and scoped to
 * the key.
 */
export interface KeyedProcessFunction<T, K, R> {
  /** Called for each record, with the record's key current. Emit with `ctx.output`. */
  processElement(value: T, ctx: KeyedProcessContext<K, R>): void;
  /** Called when a timer of the key fires: `timestamp` is the timer's time. */
  onTimer?(timestamp: number, ctx: OnTimerContext<K, R>): void;
}

export interface KeyedProcessOptions extends SchedulerOption {
  /** Stable id under which state and timers are exported and imported (docs/architecture.md §4). */
  uid?: string;
  /** The number of key groups of the `keyBy` before (its `maxParallelism`; default 128): exports group keys by it. */
  maxParallelism?: number;
  /** Makes each key's state readable by the UI under this name (local queryable state). */
  queryable?: QueryableOption;
}

/**
 * The non-keyed part of a keyedProcess checkpoint: the watermark and the header of its keyed state
 * (docs/checkpoints.md §10). Its keyed tables are the backend's export, timers included:
 * `<keyGroup>/state:<name>` and `<keyGroup>/timers:event-time` / `timers:processing-time`, so that
 * an incremental checkpoint writes only the keys whose state or timers changed, and a restore can
 * take a range of key groups.
 */
export interface KeyedProcessSnapshot {
  readonly operator: 'keyedProcess';
  readonly watermark: number;
  readonly keyedState: KeyedStateHeader;
}

/** The state of a keyedProcess stored before the key-grouped format (formats 1 and 2), migrated on restore. */
interface StoredBefore {
  readonly operator: 'keyedProcess';
  /** Format 2: the watermark and the layouts of the `state:<name>` tables. */
  readonly watermark?: unknown;
  readonly layouts?: KeyedStateCheckpoint['layouts'];
  /** Format 1: the segments, and the timers as columns with the watermark. */
  readonly keyed?: KeyedStateSnapshot;
  readonly timers?: { readonly watermark?: unknown; readonly eventTime?: unknown; readonly processingTime?: unknown };
}

const STATE_TABLE_PREFIX = 'state:';

/**
 * The engine side of `keyedProcess`, after Flink's KeyedProcessOperator: sets the record's key as
 * the current key, calls `processElement`, and fires timers in their key's context. Event-time
 * timers fire when a watermark reaches them, before the watermark is forwarded, and their output
 * carries the timer's time as timestamp. Processing-time timers fire from the injected scheduler.
 *
 * At the end of input (watermark +Infinity) every pending event-time timer fires; pending
 * processing-time timers are dropped and counted under `processingTimersDroppedAtEnd`, as Flink
 * quiesces the processing-time service when the input ends (FLINK-14231, StreamOperatorWrapper).
 */
export class KeyedProcessOperator<T, K extends Key, R> implements StreamOperator<T, K, R, K> {
  /** The name monitoring shows (kept by minifiers, unlike the class name). */
  readonly operatorName = 'KeyedProcess';
  readonly uid: string | undefined;
  readonly counters = new Counters();

  /** Pending event-time and processing-time timers, for monitoring. */
  get timerCount(): number {
    return this.#timers.eventTimeTimers + this.#timers.processingTimeTimers;
  }

  /** The last watermark this operator processed (-Infinity before any). */
  get currentWatermark(): number {
    return this.#timers.currentWatermark;
  }

  readonly #fn: KeyedProcessFunction<T, K, R>;
  readonly #backend: KeyedStateBackend;
  readonly #timers: InternalTimerService<R, K>;
  readonly #ctx: ContextImpl<K, R>;
  readonly #queryable: QueryableStateHandle | undefined;

  constructor(fn: KeyedProcessFunction<T, K, R>, options: KeyedProcessOptions, runtime: OperatorRuntime) {
    this.uid = options.uid;
    this.#fn = fn;
    const clock = runtime.processingTime;
    const now = (): number => clock.now();
    this.#backend = new KeyedStateBackend({ uid: options.uid, now, maxParallelism: options.maxParallelism });
    this.#timers = new InternalTimerService<R, K>(clock, {
      onEventTime: (timer, out) => this.#fire(timer, out, 'EVENT_TIME'),
      onProcessingTime: (timer, out) => this.#fire(timer, out, 'PROCESSING_TIME'),
    });
    // Timers are rows of their key too, exported and restored with the state.
    this.#backend.attach(...this.#timers.rowSources(options.uid));
    this.#ctx = new ContextImpl<K, R>(
      options.uid,
      this.#backend,
      this.#timers,
      now,
      () => this.#timers.currentWatermark,
    );
    this.#queryable = registerKeyedState(options.queryable, this.#backend);
  }

  /** The keyed state backend (for inspection, and for tooling such as checkpoints). */
  get backend(): KeyedStateBackend {
    return this.#backend;
  }

  /** Pending timers, per domain. */
  get pendingTimers(): { eventTime: number; processingTime: number } {
    return { eventTime: this.#timers.eventTimeTimers, processingTime: this.#timers.processingTimeTimers };
  }

  processRecord(record: StreamRecord<T, K>, out: Output<R, K>): void {
    if (record.key === undefined) {
      throw new NotKeyedError(`keyedProcess${this.uid === undefined ? '' : ` (uid ${JSON.stringify(this.uid)})`}`);
    }
    const backend = this.#backend;
    const ctx = this.#ctx;
    backend.setCurrentKeyId(keyId(record.key));
    backend.onRecord();
    ctx.enter(record.key, record.keyGroup, record.timestamp, out);
    try {
      this.#fn.processElement(record.value, ctx);
    } finally {
      ctx.exit();
      backend.clearCurrentKey();
    }
    this.#queryable?.changed();
  }

  processWatermark(watermark: Watermark, out: Output<R, K>): void {
    this.#timers.advanceWatermark(watermark.timestamp, out);
    if (watermark.timestamp === MAX_WATERMARK) {
      const dropped = this.#timers.quiesceProcessingTime();
      if (dropped > 0) this.counters.add('processingTimersDroppedAtEnd', dropped);
    }
    out.push(watermark);
  }

  #fire(timer: InternalTimer, out: StreamElement<R, K>[], domain: 'EVENT_TIME' | 'PROCESSING_TIME'): void {
    const backend = this.#backend;
    const ctx = this.#ctx;
    backend.setCurrentKeyId(timer.keyId);
    // Processing-time output gets the timer's time too: records here always carry a timestamp,
    // where Flink (since 1.4) erases it. See docs/keyed-state.md.
    ctx.enter(keyFromId(timer.keyId) as K, timer.keyGroup, timer.time, out, domain);
    try {
      this.#fn.onTimer?.(timer.time, ctx);
    } finally {
      ctx.exit();
      backend.clearCurrentKey();
    }
    this.#queryable?.changed();
  }

  /**
   * Keyed state and timers in the key-grouped format: with `checkpoint.incremental`, only the keys
   * whose state or timers changed since the last checkpoint.
   */
  snapshotCheckpoint(checkpoint: PendingCheckpoint): OperatorStateSnapshot {
    const { header, tables } = this.#backend.snapshot({ incremental: checkpoint.incremental });
    const state: KeyedProcessSnapshot = {
      operator: 'keyedProcess',
      watermark: this.#timers.currentWatermark,
      keyedState: header,
    };
    return { stateVersion: 0, state, keyed: tables };
  }

  /**
   * Restores from `snapshotCheckpoint` (tables in full), or from state stored in an earlier format
   * (migrated). With `options.keyGroups`, only the keys of those key groups, and their timers.
   */
  restoreCheckpoint(snapshot: OperatorStateSnapshot, options: KeyedRestoreOptions = {}): void {
    const s = snapshot.state as Partial<KeyedProcessSnapshot & StoredBefore> | null;
    if (typeof s !== 'object' || s === null || s.operator !== 'keyedProcess') {
      throw new StateRestoreError(this.uid, 'expected the checkpoint of a keyedProcess operator');
    }
    if (s.keyedState !== undefined) {
      this.#backend.restore({ header: s.keyedState, tables: snapshot.keyed ?? {} }, options);
      this.#timers.restored(s.watermark, this.uid);
      return;
    }
    const keyed = snapshot.keyed;
    if (keyed === undefined) {
      // Format 1: segments and timer columns.
      const t = s.timers;
      if (typeof t !== 'object' || t === null)
        throw new StateRestoreError(this.uid, 'timers must be { watermark, eventTime, processingTime }');
      const rows = {
        [EVENT_TIME_ROWS]: timerColumnsAsRows(t.eventTime, this.uid, 'eventTime'),
        [PROCESSING_TIME_ROWS]: timerColumnsAsRows(t.processingTime, this.uid, 'processingTime'),
      };
      this.#backend.restore(typeof s.keyed === 'object' && s.keyed !== null ? { ...s.keyed, rows } : s.keyed, options);
      this.#timers.restored(t.watermark, this.uid, 'state.timers.watermark');
      return;
    }
    // Format 2: a table per state and per timer domain.
    const tables: Record<string, KeyedTableSnapshot> = {};
    for (const name of Object.keys(keyed)) {
      if (name.startsWith(STATE_TABLE_PREFIX)) defineOwn(tables, name.slice(STATE_TABLE_PREFIX.length), keyed[name]!);
    }
    const rows: Record<string, KeyedTableSnapshot> = {};
    for (const name of [EVENT_TIME_ROWS, PROCESSING_TIME_ROWS])
      if (Object.hasOwn(keyed, name)) rows[name] = keyed[name]!;
    this.#backend.restore({ layouts: s.layouts, tables, rows }, options);
    this.#timers.restored(s.watermark, this.uid);
  }

  dispose(): void {
    this.#timers.dispose();
    this.#queryable?.close();
  }
}

/**
 * Runs your own logic per key with keyed state and timers, like Flink's
 * `KeyedStream.process(KeyedProcessFunction)`: session timeouts, fraud rules, deduplication,
 * alerting. `processElement` runs for each record with its key current; `onTimer` runs when an
 * event-time timer's time is reached by the watermark, or a processing-time timer's by the
 * scheduler's clock. Timers are deduplicated per key and time. State and pending timers are
 * exported and imported under `uid`. Needs a keyed stream (`keyBy` first).
 *
 * @example
 * ```ts
 * // Flink's "count with timeout": each user's click count, reported once a minute of event time
 * // has passed without a click from that user.
 * const activity = valueState<{ clicks: number; last: number }>('activity');
 * clicks$.pipe(
 *   withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((c) => c.user),
 *   keyedProcess<Click, string, string>({
 *     processElement(click, ctx) {
 *       const state = ctx.getState(activity);
 *       state.update({ clicks: (state.value()?.clicks ?? 0) + 1, last: ctx.timestamp });
 *       ctx.timerService.registerEventTimeTimer(ctx.timestamp + 60_000);
 *     },
 *     onTimer(time, ctx) {
 *       const seen = ctx.getState(activity).value();
 *       // Only the timer of the user's latest click reports: a later click made the others stale.
 *       if (seen !== undefined && time === seen.last + 60_000) ctx.output(`${ctx.key}: ${seen.clicks} clicks`);
 *     },
 *   }, { uid: 'click-counts' }),
 *   toValues(),
 * );
 * ```
 */
export function keyedProcess<T, K extends Key, R>(
  fn: KeyedProcessFunction<T, K, R>,
  options: KeyedProcessOptions = {},
): OperatorFunction<StreamBatch<T, K>, StreamBatch<R, K>> {
  if (typeof fn !== 'object' || fn === null || typeof fn.processElement !== 'function') {
    throw new InvalidOptionError('fn', fn, 'must be an object with a processElement(value, ctx) method');
  }
  if (fn.onTimer !== undefined && typeof fn.onTimer !== 'function')
    throw new InvalidOptionError('fn.onTimer', fn.onTimer, 'must be a function');
  checkUid(options.uid);
  checkMaxParallelism(options.maxParallelism);
  return fromStreamOperator((runtime) => new KeyedProcessOperator<T, K, R>(fn, options, runtime), options);
}
