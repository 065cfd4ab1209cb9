/**
 * The window operator's engine, after Flink's WindowOperator / EvictingWindowOperator and
 * MergingWindowSet (flink-streaming-java, org.apache.flink.streaming.runtime.operators.windowing).
 * Plain TypeScript: no RxJS. See `window.ts` for the RxJS face.
 *
 * Layout of the state (docs/architecture.md §2): one Map from key id to a KeyEntry (one lookup per record);
 * a key's windows sit in inline slots (tumbling, global: a key rarely has more than two live
 * windows), in a Map by window start (sliding), or in a list sorted by start (sessions: the merged
 * windows of Flink's MergingWindowSet; here state lives directly under the merged window, so there
 * is no separate state-window mapping). Timers sit in two TimerQueues (event time, processing
 * time: a min-heap of distinct times with a bucket of windows per time); each window remembers the
 * timer times it holds, which deduplicates them per (key, window, time) as Flink's timer service
 * does, and lets deleted timers be skipped lazily. Only the earliest processing-time timer is
 * scheduled on the runtime's ProcessingTimeService.
 *
 * Tumbling event-time windows with the default trigger, an incremental function and no allowed
 * lateness (the most common configuration) use a PaneTable instead (panes.ts): one pane per window
 * start holds every key's accumulator, and fires whole; the results are the same.
 *
 * Where Flink leaves an order undefined, this operator fixes one: timers of the same time fire in
 * registration order (Flink: heap order), and merged sessions combine contents in start order.
 * After a restore, registration order is the order of the keys in the restored state.
 */
import type { StreamBatch, StreamRecord, Watermark } from '../core/elements.js';
import { keyedRecord, MAX_WATERMARK, MIN_WATERMARK } from '../core/elements.js';
import { InvalidOptionError, NotKeyedError } from '../core/errors.js';
import type { Counters } from '../core/counters.js';
import { checkKey, keyGroupOf, keyId, type Key, type KeyPart } from '../core/keys.js';
import { processElement, type Output, type OperatorRuntime, type StreamOperator } from '../core/operator.js';
import type { StreamElement } from '../core/elements.js';
import type { SideOutput } from '../rx/side-output.js';
import { clonePlain, exportAccumulator, importAccumulator, type WindowAggregateFunction } from './aggregates.js';
import { namingWindow } from './state-export.js';
import { validateWindowState } from './restore-validation.js';
import type { WindowAssigner } from './assigners.js';
import { WindowMergeError } from './errors.js';
import type { Evictor, EvictorContext, TimestampedValue } from './evictors.js';
import { PaneTable, type Pane } from './panes.js';
import { TimerQueue } from './timer-queue.js';
import {
  endOfStreamTrigger, eventTimeTrigger, neverTrigger, processingTimeTrigger,
  type OnMergeContext, type Trigger, type TriggerResult,
} from './triggers.js';
import { GLOBAL_WINDOW, windowEnd, windowStart, type TimeWindow } from './windows.js';

/** One result of a window: its key, its bounds and the window function's value. */
export interface WindowResult<K, R> {
  readonly key: K;
  readonly window: TimeWindow;
  readonly value: R;
}

/** What a process window function sees besides the elements (Flink's ProcessWindowFunction.Context). */
export interface WindowContext<K> {
  readonly key: K;
  readonly window: TimeWindow;
  readonly currentWatermark: number;
  currentProcessingTime(): number;
}

/** Collects the outputs of a process window function (Flink's `Collector`). */
export interface Collector<R> {
  collect(value: R): void;
}

/**
 * A function over all elements of a window when it fires (Flink's ProcessWindowFunction). Combined
 * with `reduce` or `aggregate`, it receives the single pre-aggregated value.
 */
export type ProcessWindowFunction<IN, R, K> = (elements: readonly IN[], context: WindowContext<K>, out: Collector<R>) => void;

/** Which function evaluates a window. */
export type WindowFunction<T, R, K> =
  | { readonly kind: 'aggregate'; readonly aggregate: WindowAggregateFunction<T, unknown, unknown>; readonly process?: ProcessWindowFunction<unknown, R, K> }
  | { readonly kind: 'reduce'; readonly reduce: (a: T, b: T) => T; readonly process?: ProcessWindowFunction<T, R, K> }
  | { readonly kind: 'process'; readonly process: ProcessWindowFunction<T, R, K> };

/** Options of the window operator (shared by `window`, `windowAll`, `countWindow`). */
export interface WindowOptions<T, K> {
  /** When to evaluate a window; defaults to the assigner's (event-time, processing-time, never). */
  trigger?: Trigger<T>;
  /** Removes elements before/after evaluation; makes the window keep all its elements. */
  evictor?: Evictor<T>;
  /**
   * How long after a window's end (in event time) its state is kept so that late elements update
   * it and fire it again (Flink's allowedLateness). Default 0. Event-time windows only.
   */
  allowedLateness?: number;
  /** Receives elements that are late for all their windows; without it they are counted as `droppedLate`. */
  lateOutput?: SideOutput<StreamRecord<T, K>>;
  /** Counters for `droppedLate` and `lateRecordsToSideOutput`. */
  counters?: Counters;
  /** Stable id of this operator's state in snapshots. */
  uid?: string;
}

/**
 * The keyBy a keyed window operator is fused with (src/fusion/rules.ts): the operator then reads
 * records that are not keyed yet and keys them itself.
 */
export interface FusedKeyBy<T, K> {
  readonly selectKey: (value: T) => K;
  readonly maxParallelism: number;
}

/** In place of a key group: the record was keyed by the fused keyBy, and its group is not computed yet. */
const FUSED_KEY_GROUP = -2;

/** Counter of records dropped because they were late for all their windows (Flink's numLateRecordsDropped). */
export const DROPPED_LATE = 'droppedLate';
/** Counter of late records routed to the late side output. */
export const LATE_TO_SIDE_OUTPUT = 'lateRecordsToSideOutput';

const UNKEYED: unique symbol = Symbol('unkeyed');
type Id = KeyPart | typeof UNKEYED;

/** How a key's windows are held: by start (sliding), sorted list (sessions), or slots (tumbling, global). */
const enum Layout { Slots, ByStart, Sorted }

class KeyEntry {
  /** Windows by start: sliding windows, where a key has many live windows. */
  readonly byStart: Map<number, WindowState> | null;
  /** Sessions, sorted by start. */
  readonly list: WindowState[] | null;
  /** Tumbling and global windows: the first inline, others in a small array (a key rarely has more). */
  w0: WindowState | null = null;
  more: WindowState[] | null = null;
  last: WindowState | null = null;
  /** Whether the entry is in the operator's key table. */
  live = true;
  constructor(readonly id: Id, readonly key: unknown, readonly keyGroup: number, layout: Layout) {
    this.byStart = layout === Layout.ByStart ? new Map() : null;
    this.list = layout === Layout.Sorted ? [] : null;
  }
  get size(): number {
    if (this.byStart !== null) return this.byStart.size;
    if (this.list !== null) return this.list.length;
    return (this.w0 === null ? 0 : 1) + (this.more === null ? 0 : this.more.length);
  }
  /** The non-merging window starting at `start`, or null. */
  find(start: number): WindowState | null {
    if (this.byStart !== null) return this.byStart.get(start) ?? null;
    const w0 = this.w0;
    if (w0 !== null && w0.window.start === start) return w0;
    const more = this.more;
    if (more !== null) for (let i = 0; i < more.length; i++) if (more[i]!.window.start === start) return more[i]!;
    return null;
  }
  /** Adds a window (sessions: at the end; callers keep the list sorted). */
  add(ws: WindowState): void {
    if (this.byStart !== null) this.byStart.set(ws.window.start, ws);
    else if (this.list !== null) this.list.push(ws);
    else if (this.w0 === null) this.w0 = ws;
    else if (this.more === null) this.more = [ws];
    else this.more.push(ws);
  }
  remove(ws: WindowState): void {
    if (this.byStart !== null) {
      this.byStart.delete(ws.window.start);
    } else if (this.list !== null) {
      const i = this.list.indexOf(ws);
      if (i >= 0) this.list.splice(i, 1); // sessions stay sorted
    } else if (this.w0 === ws) {
      this.w0 = this.more !== null && this.more.length > 0 ? this.more.pop()! : null;
    } else if (this.more !== null) {
      const i = this.more.indexOf(ws);
      if (i >= 0) {
        this.more[i] = this.more[this.more.length - 1]!;
        this.more.pop();
      }
    }
  }
  windows(): WindowState[] {
    if (this.byStart !== null) return [...this.byStart.values()];
    if (this.list !== null) return this.list.slice();
    const out = this.w0 === null ? [] : [this.w0];
    if (this.more !== null) out.push(...this.more);
    return out;
  }
}

class WindowState {
  has = false;
  acc: unknown = undefined;
  values: unknown[] | null = null;
  times: number[] | null = null;
  tstate: Record<string, unknown> | null = null;
  /** Registered timer times: the first inline (NaN if none), the others in an array, allocated rarely. */
  et0 = NaN;
  et: number[] | null = null;
  pt0 = NaN;
  pt: number[] | null = null;
  alive = true;
  readonly maxTs: number;
  constructor(readonly entry: KeyEntry, readonly window: TimeWindow, readonly cleanup: number) {
    this.maxTs = window.end - 1;
  }
}

/** How a window's contents are kept: an incremental accumulator, or the list of elements. */
interface Incremental {
  first(value: unknown): unknown;
  add(acc: unknown, value: unknown): unknown;
  merge(a: unknown, b: unknown): unknown;
  result(acc: unknown): unknown;
  exportAcc(acc: unknown): unknown;
  importAcc(data: unknown): unknown;
}

function incrementalOf(fn: WindowFunction<unknown, unknown, unknown>): Incremental | null {
  if (fn.kind === 'aggregate') {
    const agg = fn.aggregate;
    return {
      first: (v) => agg.add(v, agg.createAccumulator()),
      add: (acc, v) => agg.add(v, acc),
      merge: (a, b) => agg.merge(a, b),
      result: (acc) => agg.getResult(acc),
      exportAcc: (acc) => exportAccumulator(agg as WindowAggregateFunction<never, unknown, unknown>, acc),
      importAcc: (d) => importAccumulator(agg as WindowAggregateFunction<never, unknown, unknown>, d),
    };
  }
  if (fn.kind === 'reduce') {
    const reduce = fn.reduce;
    return {
      first: (v) => v,
      add: (acc, v) => reduce(acc, v),
      merge: (a, b) => reduce(a, b),
      result: (acc) => acc,
      exportAcc: (acc) => clonePlain(acc, 'reduce value'),
      importAcc: (d) => clonePlain(d, 'reduce value'),
    };
  }
  return null;
}

const CONTINUE: TriggerResult = 'CONTINUE';

/** Validates a window configuration; throws InvalidOptionError naming the option. */
export function validateWindowConfig<T, K>(assigner: WindowAssigner<T>, options: WindowOptions<T, K>): void {
  const lateness = options.allowedLateness ?? 0;
  if (typeof lateness !== 'number' || Number.isNaN(lateness) || lateness < 0 || (lateness !== Infinity && !Number.isSafeInteger(lateness))) {
    throw new InvalidOptionError('allowedLateness', lateness, 'must be a non-negative integer number of milliseconds (or Infinity)');
  }
  if (!assigner.eventTime && lateness !== 0) {
    throw new InvalidOptionError('allowedLateness', lateness, `is only valid for event-time windows, not ${assigner.name}`);
  }
  if (!assigner.eventTime && options.lateOutput !== undefined) {
    throw new InvalidOptionError('lateOutput', options.lateOutput.name, `is only valid for event-time windows, not ${assigner.name}`);
  }
  const trigger = options.trigger;
  if (trigger !== undefined) {
    if (trigger === null || typeof trigger.onElement !== 'function' || typeof trigger.onEventTime !== 'function'
      || typeof trigger.onProcessingTime !== 'function' || typeof trigger.clear !== 'function') {
      throw new InvalidOptionError('trigger', trigger, 'must implement onElement, onEventTime, onProcessingTime and clear');
    }
    if (assigner.kind === 'session' && (trigger.canMerge !== true || typeof trigger.onMerge !== 'function')) {
      throw new InvalidOptionError('trigger', trigger.name ?? 'custom trigger', `cannot be used with the merging assigner ${assigner.name}: it must set canMerge and implement onMerge`);
    }
  }
  if (options.uid !== undefined && (typeof options.uid !== 'string' || options.uid.length === 0)) {
    throw new InvalidOptionError('uid', options.uid, 'must be a non-empty string');
  }
}

type KeyData = WindowOperatorState['keys'][number];
type WindowData = KeyData['windows'][number];

/** Exported state of a window operator (plain data). */
export interface WindowOperatorState {
  readonly version: 1;
  readonly uid: string | null;
  readonly assigner: string;
  readonly watermark: number;
  readonly keys: readonly {
    readonly key: unknown;
    readonly keyGroup: number;
    readonly windows: readonly {
      readonly start: number;
      readonly end: number;
      readonly has: boolean;
      readonly acc: unknown;
      readonly values: unknown[] | null;
      readonly times: number[] | null;
      readonly trigger: [string, unknown][] | null;
      readonly eventTimers: number[];
      readonly processingTimers: number[];
    }[];
  }[];
}

/**
 * The engine of `window(...)`: keyed (or, with `keyed: false`, all-in-one) windows with Flink's
 * semantics. Results are records whose value is `{ key, window, value }` and whose timestamp is
 * the window's `end - 1`; they are pushed before the watermark that fired them.
 */
export class WindowOperator<T, K, R> implements StreamOperator<T, K, WindowResult<K, R>, K> {
  readonly #assigner: WindowAssigner<T>;
  readonly #trigger: Trigger<T>;
  readonly #evictor: Evictor<T> | null;
  readonly #lateness: number;
  readonly #lateOutput: SideOutput<StreamRecord<T, K>> | null;
  readonly #counters: Counters | null;
  readonly #keyed: boolean;
  readonly #selectKey: ((value: T) => K) | null;
  readonly #maxParallelism: number;
  readonly #uid: string | null;
  readonly #fn: WindowFunction<T, R, K>;
  readonly #incremental: Incremental | null;
  /** The aggregate function of `aggregate(...)`, called directly on the pane paths (one call less than through #incremental). */
  readonly #aggregate: WindowAggregateFunction<T, unknown, unknown> | null;
  readonly #runtime: OperatorRuntime;
  readonly #eventTime: boolean;
  readonly #merging: boolean;
  readonly #layout: Layout;
  /** The default event-time trigger, inlined on the hot path (same behaviour as calling it). */
  readonly #fastTrigger: boolean;
  readonly #global: boolean;
  // Fixed-size assigner parameters, copied out for the hot path.
  readonly #size: number;
  readonly #slide: number;
  readonly #offset: number;

  readonly #keys = new Map<Id, KeyEntry>();
  /**
   * The table of the common configuration (see panes.ts), used instead of #keys and the timer
   * queues; null for every other configuration, or after restoring state that needs those.
   */
  #panes: PaneTable<Id> | null;
  // The last two tumbling window starts computed: most records fall into one of them, which saves
  // a floating-point modulo (slow for millisecond timestamps, which exceed 32 bits) per record.
  #start0 = NaN;
  #start1 = NaN;
  // The window objects of those starts: all keys share one object per tumbling window (results
  // carry it; it is immutable), instead of one allocation per key and window.
  #window0: TimeWindow | null = null;
  #window1: TimeWindow | null = null;
  readonly #eventTimers = new TimerQueue<WindowState>();
  readonly #processingTimers = new TimerQueue<WindowState>();
  #scheduledAt = Infinity;
  #cancelScheduled: (() => void) | null = null;
  #watermark = MIN_WATERMARK;
  #values: WindowResult<K, R>[] | null = null;
  readonly #ctx: Ctx;

  /** The id this operator's state is stored under in checkpoints. */
  get uid(): string | undefined {
    return this.#uid ?? undefined;
  }

  constructor(
    config: { assigner: WindowAssigner<T>; fn: WindowFunction<T, R, K>; keyed: boolean; keyBy?: FusedKeyBy<T, K> } & WindowOptions<T, K>,
    runtime: OperatorRuntime,
  ) {
    validateWindowConfig(config.assigner, config);
    const assigner = config.assigner;
    this.#assigner = assigner;
    this.#trigger = config.trigger ?? defaultTrigger(assigner);
    this.#evictor = config.evictor ?? null;
    this.#lateness = config.allowedLateness ?? 0;
    this.#lateOutput = config.lateOutput ?? null;
    this.#counters = config.counters ?? null;
    this.#keyed = config.keyed;
    this.#selectKey = config.keyed && config.keyBy !== undefined ? config.keyBy.selectKey : null;
    this.#maxParallelism = config.keyBy?.maxParallelism ?? 0;
    this.#uid = config.uid ?? null;
    this.#fn = config.fn;
    // With an evictor, the window keeps all elements and reduce/aggregate run at firing time.
    this.#incremental = this.#evictor === null ? incrementalOf(config.fn as WindowFunction<unknown, unknown, unknown>) : null;
    this.#aggregate = this.#evictor === null && config.fn.kind === 'aggregate' ? config.fn.aggregate as WindowAggregateFunction<T, unknown, unknown> : null;
    this.#runtime = runtime;
    this.#eventTime = assigner.eventTime;
    this.#merging = assigner.kind === 'session';
    this.#layout = assigner.kind === 'session' ? Layout.Sorted
      : assigner.kind === 'fixed' && assigner.slide !== assigner.size ? Layout.ByStart : Layout.Slots;
    this.#fastTrigger = this.#trigger === eventTimeTrigger();
    this.#global = assigner.kind === 'global';
    this.#size = assigner.kind === 'fixed' ? assigner.size : 0;
    this.#slide = assigner.kind === 'fixed' ? assigner.slide : 0;
    this.#offset = assigner.kind === 'fixed' ? assigner.offset : 0;
    const paned = assigner.kind === 'fixed' && assigner.size === assigner.slide && assigner.eventTime && this.#fastTrigger
      && this.#lateness === 0 && this.#incremental !== null && config.fn.process === undefined;
    this.#panes = paned ? new PaneTable<Id>(this.#size, this.#offset) : null;
    this.#ctx = new Ctx({
      now: () => runtime.processingTime.now(),
      register: (ws, time, eventTime) => this.#registerTimer(ws, time, eventTime),
      remove: (ws, time, eventTime) => this.#deleteTimer(ws, time, eventTime),
    });
  }

  /** The current event-time watermark of this operator. */
  get currentWatermark(): number {
    return this.#watermark;
  }

  /** Number of live windows, over all keys (for tests and monitoring). */
  get windowCount(): number {
    let n = 0;
    if (this.#panes !== null) n += this.#panes.windowCount;
    for (const entry of this.#keys.values()) n += entry.size;
    return n;
  }

  /** Number of keys with at least one live window. */
  get keyCount(): number {
    if (this.#panes !== null) {
      const keys = new Set<number>();
      for (const pane of this.#panes.panes()) for (const k of pane.keys) keys.add(k);
      return keys.size;
    }
    let n = 0;
    for (const entry of this.#keys.values()) if (entry.size > 0) n++;
    return n;
  }

  processBatch(batch: StreamBatch<T, K>, out: Output<WindowResult<K, R>, K>): void {
    for (let i = 0; i < batch.length; i++) {
      const element = batch[i]!;
      if (element.kind === 'record') this.processRecord(element, out);
      else processElement(this, element, out);
    }
  }

  processRecord(record: StreamRecord<T, K>, out: Output<WindowResult<K, R>, K>): void {
    const panes = this.#panes;
    if (panes === null) {
      this.#processGeneral(record, out);
      return;
    }
    if (this.#selectKey !== null) {
      this.processValue(record.value, record.timestamp, out);
      return;
    }
    // The pane table (see panes.ts) after a separate keyBy, or unkeyed (windowAll).
    let key: unknown;
    let id: Id;
    let keyGroup: number;
    if (this.#keyed) {
      if (record.keyGroup < 0) throw new NotKeyedError('window()');
      key = record.key;
      id = keyId(key as never);
      keyGroup = record.keyGroup;
    } else {
      key = undefined;
      id = UNKEYED;
      keyGroup = -1;
    }
    const pane = panes.paneFor(record.timestamp, this.#watermark);
    if (pane === null) {
      // Late for its only window: with no allowed lateness, the element is always behind the watermark.
      this.#late(record, record.value, record.timestamp, key, keyGroup);
      return;
    }
    let k = panes.numberOf(id);
    if (k < 0) k = panes.addKey(id, key, keyGroup);
    this.#addToPane(panes, pane, k, record.value);
  }

  /**
   * A record as value and timestamp, keyed here by the fused keyBy: what a fused chain's entry hands
   * over (src/fusion/), with no record object per value. The hot path of the common configuration.
   */
  processValue(value: T, timestamp: number, out: Output<WindowResult<K, R>, K>): void {
    const panes = this.#panes;
    const selectKey = this.#selectKey;
    if (panes === null || selectKey === null) {
      this.#processGeneral({ kind: 'record', value, timestamp, key: undefined as K, keyGroup: -1 }, out);
      return;
    }
    // The pane table (see panes.ts): tumbling event-time windows, default trigger, no lateness. A
    // pane never fires on an element.
    const key = checkKey(selectKey(value), value);
    const pane = panes.paneFor(timestamp, this.#watermark);
    if (pane === null) {
      // Late for its only window: with no allowed lateness, the element is always behind the watermark.
      this.#late(null, value, timestamp, key, this.#groupOf(key, FUSED_KEY_GROUP));
      return;
    }
    const id = keyId(key);
    let k = panes.numberOf(id);
    if (k < 0) k = panes.addKey(id, key, this.#groupOf(key, FUSED_KEY_GROUP));
    this.#addToPane(panes, pane, k, value);
  }

  #addToPane(panes: PaneTable<Id>, pane: Pane, k: number, value: T): void {
    const slot = panes.slotOf(k, pane);
    if (slot < 0) {
      panes.add(k, pane, this.#incremental!.first(value));
    } else {
      const accs = pane.accs;
      const agg = this.#aggregate;
      accs[slot] = agg !== null ? agg.add(value, accs[slot]) : this.#incremental!.add(accs[slot], value);
    }
  }

  /** processRecord with the general layout: windows per key, timers per window. */
  #processGeneral(record: StreamRecord<T, K>, out: Output<WindowResult<K, R>, K>): void {
    const value = record.value;
    let entry: KeyEntry | undefined;
    const selectKey = this.#selectKey;
    if (selectKey !== null) {
      // Fused with the keyBy in front: key the record here, exactly as KeyByOperator would. The key
      // group is only computed for a key that has no entry yet.
      const key = checkKey(selectKey(value), value);
      const id = keyId(key);
      entry = this.#keys.get(id);
      if (entry === undefined) entry = this.#addEntry(id, key, this.#groupOf(key, FUSED_KEY_GROUP));
    } else if (this.#keyed) {
      if (record.keyGroup < 0) throw new NotKeyedError('window()');
      const id = keyId(record.key as never);
      entry = this.#keys.get(id);
      if (entry === undefined) entry = this.#addEntry(id, record.key, record.keyGroup);
    } else {
      entry = this.#keys.get(UNKEYED);
      if (entry === undefined) entry = this.#addEntry(UNKEYED, undefined, -1);
    }
    const id = entry.id;
    const timestamp = record.timestamp;
    let skipped = true;
    if (this.#size !== 0) {
      const time = this.#eventTime ? timestamp : this.#runtime.processingTime.now();
      const size = this.#size;
      const slide = this.#slide;
      if (size === slide) {
        let start = this.#start0;
        if (!(time >= start && time - start < size)) {
          start = this.#start1;
          let win = this.#window1;
          if (!(time >= start && time - start < size)) {
            start = windowStart(time, this.#offset, size);
            win = this.#global ? GLOBAL_WINDOW : { start, end: windowEnd(start, size) };
          }
          this.#start1 = this.#start0;
          this.#window1 = this.#window0;
          this.#start0 = start;
          this.#window0 = win;
        }
        if (this.#addFixed(entry, start, size, value, timestamp, out, this.#window0)) skipped = false;
      } else {
        // Sliding: every window [s, s + size) with s aligned to the slide and s > time - size, latest first.
        for (let s = windowStart(time, this.#offset, slide); s > time - size; s -= slide) {
          if (this.#addFixed(entry, s, size, value, timestamp, out)) skipped = false;
        }
      }
    } else if (this.#global) {
      if (this.#addFixed(entry, GLOBAL_WINDOW.start, GLOBAL_WINDOW.end - GLOBAL_WINDOW.start, value, timestamp, out)) skipped = false;
    } else {
      if (this.#addMerging(entry, value, timestamp, out)) skipped = false;
    }
    if (entry.size === 0) {
      entry.live = false;
      this.#keys.delete(id);
    }
    // Flink: an element skipped by all its windows and behind watermark - lateness is late data.
    if (skipped && this.#eventTime && timestamp + this.#lateness <= this.#watermark) this.#late(record, record.value, timestamp, entry.key, entry.keyGroup);
  }

  /**
   * A record's key group: as keyBy attached it, or (for FUSED_KEY_GROUP) computed here, as the fused
   * keyBy would have, only for keys that need it (new or late ones).
   */
  #groupOf(key: unknown, keyGroup: number): number {
    return keyGroup === FUSED_KEY_GROUP ? keyGroupOf(key as Key, this.#maxParallelism) : keyGroup;
  }

  /**
   * Routes a late record to the late side output, or counts it as dropped. `record` is null when a
   * fused chain handed over value and timestamp only.
   */
  #late(record: StreamRecord<T, K> | null, value: T, timestamp: number, key: unknown, keyGroup: number): void {
    if (this.#lateOutput !== null) {
      this.#counters?.add(LATE_TO_SIDE_OUTPUT);
      // A fused keyBy allocated no keyed record: make the one keyBy would have emitted.
      this.#lateOutput.emit(this.#selectKey === null && record !== null ? record : keyedRecord(value, timestamp, key as K, keyGroup));
    } else {
      this.#counters?.add(DROPPED_LATE);
    }
  }

  /** Fires and drops every pane due at `watermark`, earliest first, each key in the order its window was created. */
  #firePanes(panes: PaneTable<Id>, watermark: number, out: Output<WindowResult<K, R>, K>): void {
    const inc = this.#incremental!;
    const agg = this.#aggregate;
    for (let pane = panes.takeDue(watermark); pane !== null; pane = panes.takeDue(watermark)) {
      const { window, maxTs, keys, accs } = pane;
      const values = this.#values;
      if (values !== null) {
        // A fused toValues: the user receives the WindowResult; no record wraps it.
        for (let i = 0; i < accs.length; i++) {
          values[values.length] = { key: panes.keyOf(keys[i]!) as K, window, value: (agg !== null ? agg.getResult(accs[i]) : inc.result(accs[i])) as R };
        }
        continue;
      }
      for (let i = 0; i < accs.length; i++) {
        const k = keys[i]!;
        const key = panes.keyOf(k) as K;
        out[out.length] = { // (a store at the end: see PaneTable.add)
          kind: 'record',
          value: { key, window, value: (agg !== null ? agg.getResult(accs[i]) : inc.result(accs[i])) as R },
          timestamp: maxTs,
          key,
          keyGroup: panes.groupOf(k),
        };
      }
    }
  }

  #addEntry(id: Id, key: unknown, keyGroup: number): KeyEntry {
    const entry = new KeyEntry(id, key, keyGroup, this.#layout);
    this.#keys.set(id, entry);
    return entry;
  }

  processWatermark(wm: Watermark, out: Output<WindowResult<K, R>, K>): void {
    this.advanceWatermark(wm.timestamp, out);
    out.push(wm);
  }

  /**
   * Results go to `values` as plain WindowResults, in order, instead of as records into `out`: the
   * chain of a fused `toValues` (src/fusion/) hands them to the user as they are. null: records.
   */
  emitValuesTo(values: WindowResult<K, R>[] | null): void {
    this.#values = values;
  }

  /**
   * The watermark from which `advanceWatermark` has something to fire: the earliest pane's on the
   * pane table, -Infinity (always) on the general path. Below it, `noteWatermark` is enough.
   */
  get nextFiring(): number {
    return this.#panes !== null ? this.#panes.nextDue : -Infinity;
  }

  /**
   * Advances event time to `time` (below `nextFiring`) where nothing fires: small enough to be inlined
   * into a fused chain's loop, which then passes the number without boxing it (a watermark per event).
   */
  noteWatermark(time: number): void {
    if (time > this.#watermark) {
      this.#watermark = time;
      this.#ctx.currentWatermark = time;
    }
  }

  /** Advances event time to `time` and fires what is due, without forwarding a watermark element. */
  advanceWatermark(time: number, out: Output<WindowResult<K, R>, K>): void {
    if (time > this.#watermark) {
      this.#watermark = time;
      this.#ctx.currentWatermark = time;
      const panes = this.#panes;
      // (A watermark per event mostly fires nothing: the check is kept out of the call.)
      if (panes !== null) {
        if (panes.nextDue <= time) this.#firePanes(panes, time, out);
      }
      else this.#advanceEventTime(time, out);
      if (time === MAX_WATERMARK) this.#endOfEventTime();
    }
  }

  dispose(): void {
    this.#cancelScheduled?.();
    this.#cancelScheduled = null;
    this.#scheduledAt = Infinity;
  }

  // ---- adding elements ----

  #cleanupTime(maxTs: number): number {
    if (this.#global) return Infinity; // Flink sets no cleanup timer for "end of time"
    if (!this.#eventTime) return maxTs;
    const cleanup = maxTs + this.#lateness;
    return cleanup > Number.MAX_SAFE_INTEGER ? Infinity : cleanup; // saturating, as Flink's cleanupTime
  }

  #addFixed(entry: KeyEntry, start: number, size: number, value: T, timestamp: number, out: Output<WindowResult<K, R>, K>, shared: TimeWindow | null = null): boolean {
    let ws = entry.last;
    if (ws === null || ws.window.start !== start) {
      ws = entry.find(start);
      if (ws === null) {
        const cleanup = this.#cleanupTime(windowEnd(start, size) - 1);
        // Flink's isWindowLate: the window was already cleaned up (or would be at once): skip it.
        if (this.#eventTime && cleanup <= this.#watermark) return false;
        const window = this.#global ? GLOBAL_WINDOW : shared !== null && shared.start === start ? shared : { start, end: windowEnd(start, size) };
        ws = new WindowState(entry, window, cleanup);
        entry.add(ws);
        this.#registerCleanup(ws);
        // EventTimeTrigger.onElement registers end - 1 while the watermark is before it; the
        // registration of later elements is a duplicate, so the fast path does it once here.
        if (this.#fastTrigger && ws.maxTs > this.#watermark) this.#registerTimer(ws, ws.maxTs, true);
      }
      entry.last = ws;
    }
    this.#addElement(ws, value, timestamp);
    if (this.#fastTrigger) {
      if (ws.maxTs <= this.#watermark) this.#emit(ws, out); // late but within lateness: FIRE at once
      return true;
    }
    const ctx = this.#ctx;
    ctx.ws = ws;
    const result = this.#trigger.onElement(value, timestamp, ws.window, ctx);
    if (result !== CONTINUE) this.#apply(ws, result, out);
    return true;
  }

  #addMerging(entry: KeyEntry, value: T, timestamp: number, out: Output<WindowResult<K, R>, K>): boolean {
    const assigner = this.#assigner as Extract<WindowAssigner<T>, { kind: 'session' }>;
    const base = this.#eventTime ? timestamp : this.#runtime.processingTime.now();
    const s = base;
    const e = windowEnd(base, assigner.gap(value));
    const sessions = entry.list!;
    // The existing windows are disjoint and sorted: the ones that overlap or touch [s, e) are a run.
    let i0 = 0;
    while (i0 < sessions.length && sessions[i0]!.window.end < s) i0++;
    let i1 = i0;
    while (i1 < sessions.length && sessions[i1]!.window.start <= e) i1++;
    let ws: WindowState;
    if (i1 === i0) {
      const cleanup = this.#cleanupTime(e - 1);
      if (this.#eventTime && cleanup <= this.#watermark) return false; // late window: retired at once
      ws = new WindowState(entry, { start: s, end: e }, cleanup);
      sessions.splice(i0, 0, ws);
    } else if (i1 - i0 === 1 && sessions[i0]!.window.start <= s && sessions[i0]!.window.end >= e) {
      ws = sessions[i0]!; // falls inside one session: no merge (Flink calls no merge function here)
    } else {
      const merged = sessions.slice(i0, i1);
      const start = Math.min(s, merged[0]!.window.start);
      const end = Math.max(e, merged[merged.length - 1]!.window.end);
      const maxTs = end - 1;
      if (this.#eventTime ? maxTs + this.#lateness <= this.#watermark : maxTs <= this.#runtime.processingTime.now()) {
        throw new WindowMergeError({ start, end }, this.#eventTime ? this.#watermark : this.#runtime.processingTime.now());
      }
      ws = new WindowState(entry, { start, end }, this.#cleanupTime(maxTs));
      for (const m of merged) this.#mergeContents(ws, m);
      const ctx = this.#ctx;
      ctx.ws = ws;
      ctx.sources = merged;
      this.#trigger.onMerge!(ws.window, ctx);
      ctx.sources = null;
      for (const m of merged) {
        ctx.ws = m;
        this.#trigger.clear(m.window, ctx);
        if (m.cleanup !== Infinity) this.#deleteTimer(m, m.cleanup, this.#eventTime);
        m.alive = false;
      }
      sessions.splice(i0, i1 - i0, ws);
    }
    if (entry.last !== ws) entry.last = ws;
    this.#addElement(ws, value, timestamp);
    const ctx = this.#ctx;
    ctx.ws = ws;
    const result = this.#trigger.onElement(value, timestamp, ws.window, ctx);
    if (result !== CONTINUE) this.#apply(ws, result, out);
    if (ws.alive) this.#registerCleanup(ws);
    return true;
  }

  #addElement(ws: WindowState, value: T, timestamp: number): void {
    const inc = this.#incremental;
    if (inc !== null) {
      if (ws.has) {
        ws.acc = inc.add(ws.acc, value);
      } else {
        ws.acc = inc.first(value);
        ws.has = true;
      }
      return;
    }
    if (ws.values === null) {
      ws.values = [];
      ws.times = [];
    }
    ws.values.push(value);
    ws.times!.push(timestamp);
    ws.has = true;
  }

  #mergeContents(target: WindowState, source: WindowState): void {
    if (!source.has) return;
    if (!target.has) {
      target.acc = source.acc;
      target.values = source.values;
      target.times = source.times;
      target.has = true;
      return;
    }
    const inc = this.#incremental;
    if (inc !== null) {
      target.acc = inc.merge(target.acc, source.acc);
    } else {
      for (const v of source.values!) target.values!.push(v);
      for (const t of source.times!) target.times!.push(t);
    }
  }

  // ---- trigger results, firing, cleanup ----

  #apply(ws: WindowState, result: TriggerResult, out: Output<WindowResult<K, R>, K>): void {
    if (result === 'FIRE' || result === 'FIRE_AND_PURGE') this.#emit(ws, out);
    if (result === 'PURGE' || result === 'FIRE_AND_PURGE') {
      this.#clearContents(ws);
      this.#dropIfEmpty(ws);
    }
  }

  #clearContents(ws: WindowState): void {
    ws.has = false;
    ws.acc = undefined;
    ws.values = null;
    ws.times = null;
  }

  /** A non-merging window with no contents, trigger state or timers is the same as no window. */
  #dropIfEmpty(ws: WindowState): void {
    if (this.#merging || ws.has || !ws.alive) return;
    if (ws.tstate !== null || hasTimers(ws)) return;
    this.#retire(ws);
  }

  #retire(ws: WindowState): void {
    ws.alive = false;
    const entry = ws.entry;
    entry.remove(ws);
    if (entry.last === ws) entry.last = null;
    // A key without windows has no state: drop its entry at once (keeping empty entries around
    // for sparse keys measured slower: more old-generation objects for the GC to trace).
    if (entry.size === 0 && entry.live) {
      entry.live = false;
      this.#keys.delete(entry.id);
    }
  }

  /** Deletes the entries of keys that have no window left. */
  #sweep(): void {
    for (const [id, entry] of this.#keys) {
      if (entry.size === 0) {
        entry.live = false;
        this.#keys.delete(id);
      }
    }
  }

  /** Flink's clearAllState: contents, trigger state and timers, then the window itself. */
  #clearAll(ws: WindowState): void {
    this.#clearContents(ws);
    if (!this.#fastTrigger) {
      // (EventTimeTrigger.clear only deletes a timer; a retired window's timers are skipped anyway.)
      const ctx = this.#ctx;
      ctx.ws = ws;
      this.#trigger.clear(ws.window, ctx);
    }
    ws.tstate = null;
    this.#retire(ws);
  }

  #emit(ws: WindowState, out: Output<WindowResult<K, R>, K>): void {
    if (!ws.has) return; // Flink emits nothing for a window without contents
    const fn = this.#fn;
    const inc = this.#incremental;
    if (inc !== null) {
      const result = inc.result(ws.acc);
      if (fn.process === undefined) this.#push(ws, result as R, out);
      else this.#runProcess(ws, [result], fn.process as ProcessWindowFunction<unknown, R, K>, out);
      return;
    }
    let values = ws.values!;
    const evictor = this.#evictor;
    if (evictor !== null && evictor.evictBefore !== undefined) values = this.#evict(ws, evictor.evictBefore.bind(evictor));
    if (values.length > 0) {
      if (fn.kind === 'process') {
        this.#runProcess(ws, values as T[], fn.process, out);
      } else {
        const folded = fold(fn as WindowFunction<unknown, unknown, unknown>, values);
        if (fn.process === undefined) this.#push(ws, folded as R, out);
        else this.#runProcess(ws, [folded], fn.process as ProcessWindowFunction<unknown, R, K>, out);
      }
    }
    if (evictor !== null && evictor.evictAfter !== undefined) this.#evict(ws, evictor.evictAfter.bind(evictor));
  }

  #evict(ws: WindowState, evict: NonNullable<Evictor<T>['evictBefore']>): unknown[] {
    const values = ws.values!;
    const times = ws.times!;
    const elements: TimestampedValue<T>[] = values.map((value, i) => ({ value: value as T, timestamp: times[i]! }));
    const kept = evict(elements, ws.window, this.#ctx);
    ws.values = kept.map((e) => e.value);
    ws.times = kept.map((e) => e.timestamp);
    if (ws.values.length === 0) ws.has = false;
    return ws.values;
  }

  #runProcess<IN>(ws: WindowState, elements: readonly IN[], process: ProcessWindowFunction<IN, R, K>, out: Output<WindowResult<K, R>, K>): void {
    const runtime = this.#runtime;
    const context: WindowContext<K> = {
      key: ws.entry.key as K,
      window: ws.window,
      currentWatermark: this.#watermark,
      currentProcessingTime: () => runtime.processingTime.now(),
    };
    process(elements, context, { collect: (value: R) => this.#push(ws, value, out) });
  }

  #push(ws: WindowState, value: R, out: Output<WindowResult<K, R>, K>): void {
    const entry = ws.entry;
    if (this.#values !== null) {
      this.#values.push({ key: entry.key as K, window: ws.window, value });
      return;
    }
    out.push({
      kind: 'record',
      value: { key: entry.key as K, window: ws.window, value },
      timestamp: ws.maxTs,
      key: entry.key as K,
      keyGroup: entry.keyGroup,
    });
  }

  // ---- timers ----

  #registerCleanup(ws: WindowState): void {
    if (ws.cleanup === Infinity) return;
    this.#registerTimer(ws, ws.cleanup, this.#eventTime);
  }

  /** Registers a timer of `ws` at `time`; a second registration of the same timer is a no-op. */
  #registerTimer(ws: WindowState, time: number, eventTime: boolean): void {
    if (eventTime) {
      if (!addTime(ws, time, true)) return;
      this.#eventTimers.add(time, ws);
    } else {
      if (!addTime(ws, time, false)) return;
      this.#processingTimers.add(time, ws);
      if (time < this.#scheduledAt) this.#scheduleProcessingTime();
    }
  }

  /** Deletes a timer; its queue entry is skipped lazily when it comes due. */
  #deleteTimer(ws: WindowState, time: number, eventTime: boolean): void {
    removeTime(ws, time, eventTime);
  }

  /** Takes `time` out of the window's timers; false if the timer was deleted or the window is gone. */
  #takeTimer(ws: WindowState, time: number, eventTime: boolean): boolean {
    return ws.alive && removeTime(ws, time, eventTime);
  }

  #advanceEventTime(watermark: number, out: Output<WindowResult<K, R>, K>): void {
    const timers = this.#eventTimers;
    const trigger = this.#trigger;
    const ctx = this.#ctx;
    // Timers registered while firing (e.g. a continuous trigger's next firing) at or below the
    // watermark fire in the same pass, as in Flink's InternalTimerService.advanceWatermark.
    while (timers.size > 0 && timers.peek() <= watermark) {
      const time = timers.peek();
      const bucket = timers.pop();
      for (let i = 0; i < bucket.length; i++) {
        const ws = bucket[i]!;
        if (!this.#takeTimer(ws, time, true)) continue;
        if (this.#fastTrigger) {
          if (time === ws.maxTs) this.#emit(ws, out); // EventTimeTrigger.onEventTime: FIRE at end - 1
          if (this.#eventTime && time === ws.cleanup) this.#clearAll(ws);
          continue;
        }
        ctx.ws = ws;
        const result = trigger.onEventTime(time, ws.window, ctx);
        if (result !== CONTINUE) this.#apply(ws, result, out);
        if (!ws.alive) continue;
        if (this.#eventTime && time === ws.cleanup) this.#clearAll(ws);
        else this.#dropIfEmpty(ws);
      }
    }
  }

  /**
   * After the end-of-stream watermark every event-time window has fired; windows whose cleanup time
   * saturated (lateness reaching past the largest timestamp) never get a cleanup timer, so they are
   * dropped here, without emitting.
   */
  #endOfEventTime(): void {
    if (!this.#eventTime) return;
    this.#panes?.clear(); // (all fired: no pane ends after the end of time)
    for (const entry of this.#keys.values()) {
      for (const ws of entry.windows()) this.#clearAll(ws);
    }
    this.#sweep();
  }

  #scheduleProcessingTime(): void {
    const next = this.#processingTimers.peek();
    if (next === this.#scheduledAt) return;
    this.#cancelScheduled?.();
    this.#cancelScheduled = null;
    this.#scheduledAt = next;
    if (next === Infinity) return;
    this.#cancelScheduled = this.#runtime.processingTime.schedule<WindowResult<K, R>, K>(next, (out) => {
      this.#cancelScheduled = null;
      this.#scheduledAt = Infinity;
      this.#advanceProcessingTime(out);
    });
  }

  #advanceProcessingTime(out: StreamElement<WindowResult<K, R>, K>[]): void {
    const now = Math.max(this.#runtime.processingTime.now(), this.#scheduledAt === Infinity ? -Infinity : this.#scheduledAt);
    const timers = this.#processingTimers;
    const trigger = this.#trigger;
    const ctx = this.#ctx;
    while (timers.size > 0 && timers.peek() <= now) {
      const time = timers.peek();
      const bucket = timers.pop();
      for (let i = 0; i < bucket.length; i++) {
        const ws = bucket[i]!;
        if (!this.#takeTimer(ws, time, false)) continue;
        ctx.ws = ws;
        const result = trigger.onProcessingTime(time, ws.window, ctx);
        if (result !== CONTINUE) this.#apply(ws, result, out);
        if (!ws.alive) continue;
        if (!this.#eventTime && time === ws.cleanup) this.#clearAll(ws);
        else this.#dropIfEmpty(ws);
      }
    }
    this.#scheduleProcessingTime();
  }

  // ---- state export / import ----

  snapshotState(): WindowOperatorState {
    return namingWindow(this.#uid, () => this.#exportState());
  }

  #exportState(): WindowOperatorState {
    const inc = this.#incremental;
    const keys: KeyData[] = this.#panes !== null ? this.#snapshotPanes(this.#panes) : [];
    for (const entry of this.#keys.values()) {
      if (entry.size === 0) continue;
      const windows = entry.windows();
      keys.push({
        key: clonePlain(entry.key, 'key'),
        keyGroup: entry.keyGroup,
        windows: windows.map((ws) => ({
          start: ws.window.start,
          end: ws.window.end,
          has: ws.has,
          acc: ws.has && inc !== null ? inc.exportAcc(ws.acc) : null,
          values: ws.values === null ? null : ws.values.slice(),
          times: ws.times === null ? null : ws.times.slice(),
          trigger: ws.tstate === null ? null : Object.keys(ws.tstate).map((k): [string, unknown] => [k, clonePlain(ws.tstate![k], 'trigger state')]),
          eventTimers: timesOf(ws, true),
          processingTimers: timesOf(ws, false),
        })),
      });
    }
    return { version: 1, uid: this.#uid, assigner: this.#assigner.name, watermark: this.#watermark, keys };
  }

  /** The panes' windows grouped by key, in the order the keys first appear (earliest pane first). */
  #snapshotPanes(panes: PaneTable<Id>): KeyData[] {
    const inc = this.#incremental!;
    const byNumber = new Map<number, { key: unknown; keyGroup: number; windows: WindowData[] }>();
    for (const pane of panes.panes()) {
      for (let i = 0; i < pane.keys.length; i++) {
        const number = pane.keys[i]!;
        let k = byNumber.get(number);
        if (k === undefined) {
          k = { key: clonePlain(panes.keyOf(number), 'key'), keyGroup: panes.groupOf(number), windows: [] };
          byNumber.set(number, k);
        }
        // What the general layout exports for the same window: one event-time timer at end - 1.
        k.windows.push({
          start: pane.window.start, end: pane.window.end, has: true, acc: inc.exportAcc(pane.accs[i]),
          values: null, times: null, trigger: null, eventTimers: [pane.maxTs], processingTimers: [],
        });
      }
    }
    return [...byNumber.values()];
  }

  /**
   * Whether a PaneTable can hold the state: windows of this operator's size and alignment, not yet
   * fired, with no more than the timer at end - 1 (state exported by an operator with another
   * trigger or lateness may hold more; the general layout restores that).
   */
  #panesCanHold(s: WindowOperatorState): boolean {
    for (const k of s.keys) {
      for (const w of k.windows) {
        if (w.end - w.start !== this.#size || windowStart(w.start, this.#offset, this.#size) !== w.start || w.end - 1 <= s.watermark) return false;
        if (w.values !== null || w.trigger !== null || w.processingTimers.length > 0) return false;
        if (w.eventTimers.some((t) => t !== w.end - 1)) return false;
      }
    }
    return true;
  }

  restoreState(state: unknown): void {
    const s = validateWindowState(state, this.#uid, this.#assigner.name, this.#keyed);
    this.dispose();
    this.#keys.clear();
    this.#eventTimers.clear();
    this.#processingTimers.clear();
    this.#watermark = s.watermark;
    this.#ctx.currentWatermark = s.watermark;
    const inc = this.#incremental;
    this.#panes?.clear();
    if (this.#panes !== null && !this.#panesCanHold(s)) this.#panes = null; // this operator keeps the general layout from now on
    const panes = this.#panes;
    if (panes !== null) {
      for (const k of s.keys) {
        const key = clonePlain(k.key, 'key');
        const id: Id = this.#keyed ? keyId(key as never) : UNKEYED;
        let number = panes.numberOf(id);
        if (number < 0) number = panes.addKey(id, key, k.keyGroup);
        // A window without contents would fire nothing and be dropped: it needs no slot.
        for (const w of k.windows) if (w.has) panes.add(number, panes.paneAt(w.start), inc!.importAcc(w.acc));
      }
      return;
    }
    for (const k of s.keys) {
      const key = clonePlain(k.key, 'key');
      const id: Id = this.#keyed ? keyId(key as never) : UNKEYED;
      const entry = new KeyEntry(id, key, k.keyGroup, this.#layout);
      this.#keys.set(id, entry);
      for (const w of k.windows) {
        const window = this.#global ? GLOBAL_WINDOW : { start: w.start, end: w.end };
        const ws = new WindowState(entry, window, this.#cleanupTime(w.end - 1));
        ws.has = w.has;
        if (w.has && inc !== null) ws.acc = inc.importAcc(w.acc);
        ws.values = w.values === null ? null : w.values.slice();
        ws.times = w.times === null ? null : w.times.slice();
        if (w.trigger !== null) {
          const tstate: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
          for (const [name, value] of w.trigger) tstate[name] = clonePlain(value, 'trigger state');
          ws.tstate = tstate;
        }
        entry.add(ws);
        for (const t of w.eventTimers) this.#registerTimer(ws, t, true);
        for (const t of w.processingTimers) this.#registerTimer(ws, t, false);
      }
    }
  }
}

/** Adds a timer time to the window's set; false if it was already there. */
function addTime(ws: WindowState, time: number, eventTime: boolean): boolean {
  const first = eventTime ? ws.et0 : ws.pt0;
  if (first === time) return false;
  let more = eventTime ? ws.et : ws.pt;
  if (more !== null) for (let i = 0; i < more.length; i++) if (more[i] === time) return false;
  if (Number.isNaN(first)) {
    if (eventTime) ws.et0 = time;
    else ws.pt0 = time;
  } else if (more === null) {
    more = [time];
    if (eventTime) ws.et = more;
    else ws.pt = more;
  } else {
    more.push(time);
  }
  return true;
}

/** Removes a timer time from the window's set; false if it was not there. */
function removeTime(ws: WindowState, time: number, eventTime: boolean): boolean {
  if ((eventTime ? ws.et0 : ws.pt0) === time) {
    if (eventTime) ws.et0 = NaN;
    else ws.pt0 = NaN;
    return true;
  }
  const more = eventTime ? ws.et : ws.pt;
  if (more === null) return false;
  const i = more.indexOf(time);
  if (i < 0) return false;
  more.splice(i, 1);
  return true;
}

function hasTimers(ws: WindowState): boolean {
  return !Number.isNaN(ws.et0) || !Number.isNaN(ws.pt0) || (ws.et !== null && ws.et.length > 0) || (ws.pt !== null && ws.pt.length > 0);
}

function timesOf(ws: WindowState, eventTime: boolean): number[] {
  const first = eventTime ? ws.et0 : ws.pt0;
  const more = eventTime ? ws.et : ws.pt;
  const out = Number.isNaN(first) ? [] : [first];
  if (more !== null) out.push(...more);
  return out;
}

function fold(fn: WindowFunction<unknown, unknown, unknown>, values: unknown[]): unknown {
  if (fn.kind === 'reduce') {
    let acc = values[0];
    for (let i = 1; i < values.length; i++) acc = fn.reduce(acc, values[i]);
    return acc;
  }
  if (fn.kind === 'aggregate') {
    const agg = fn.aggregate;
    let acc = agg.createAccumulator();
    for (const v of values) acc = agg.add(v, acc);
    return agg.getResult(acc);
  }
  return values;
}

function defaultTrigger<T>(assigner: WindowAssigner<T>): Trigger<T> {
  if (assigner.kind === 'global') return (assigner.endOfStreamTrigger ? endOfStreamTrigger() : neverTrigger()) as Trigger<T>;
  return (assigner.eventTime ? eventTimeTrigger() : processingTimeTrigger()) as Trigger<T>;
}

/** The trigger and evictor context, reused for every call: `ws` is the window being handled. */
interface TimerAccess {
  now(): number;
  register(ws: WindowState, time: number, eventTime: boolean): void;
  remove(ws: WindowState, time: number, eventTime: boolean): void;
}

class Ctx implements OnMergeContext, EvictorContext {
  ws: WindowState | null = null;
  sources: WindowState[] | null = null;
  currentWatermark = MIN_WATERMARK;
  readonly #timers: TimerAccess;

  constructor(timers: TimerAccess) {
    this.#timers = timers;
  }

  currentProcessingTime(): number {
    return this.#timers.now();
  }

  registerEventTimeTimer(time: number): void {
    this.#timers.register(this.ws!, time, true);
  }

  deleteEventTimeTimer(time: number): void {
    this.#timers.remove(this.ws!, time, true);
  }

  registerProcessingTimeTimer(time: number): void {
    this.#timers.register(this.ws!, time, false);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.#timers.remove(this.ws!, time, false);
  }

  getState<S>(name: string): S | undefined {
    const state = this.ws!.tstate;
    return state === null ? undefined : (state[name] as S | undefined);
  }

  setState<S>(name: string, value: S): void {
    const ws = this.ws!;
    if (ws.tstate === null) ws.tstate = Object.create(null) as Record<string, unknown>;
    ws.tstate[name] = value;
  }

  clearState(name: string): void {
    const ws = this.ws!;
    const state = ws.tstate;
    if (state === null || !(name in state)) return;
    delete state[name];
    for (const _ in state) return;
    ws.tstate = null;
  }

  mergeState<S>(name: string, combine: (a: S, b: S) => S): void {
    let acc: S | undefined;
    for (const source of this.sources ?? []) {
      const v = source.tstate === null ? undefined : (source.tstate[name] as S | undefined);
      if (v === undefined) continue;
      acc = acc === undefined ? v : combine(acc, v);
    }
    if (acc !== undefined) this.setState(name, acc);
  }
}
