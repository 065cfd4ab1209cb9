/**
 * The window operator's fast path: tumbling event-time windows, default trigger, no evictor, on a
 * PaneTable (panes.ts). A pane fires whole at its end; with lateness it stays in a second table until
 * its cleanup time, a late record re-firing its key's window (LATE). Results and exported state are
 * the general path's. Each window keeps an accumulator, or its elements (pane-contents.ts).
 */
import { MAX_WATERMARK, type StreamRecord } from '../core/elements.js';
import { NotKeyedError } from '../core/errors.js';
import { checkKey, keyId } from '../core/keys.js';
import type { Output } from '../core/operator.js';
import { AggregateColumns } from './aggregate-columns.js';
import { FUSED_KEY_GROUP, type WindowSetup } from './config.js';
import { PaneTable, type Pane } from './panes.js';
import { ON_TIME_ONLY_PANE, paneOf, type PaneInfo } from './pane-info.js';
import { ELEMENTS, runProcess, type PaneContents } from './pane-contents.js';
import type { WindowResult } from './types.js';
import { UNKEYED, type Id } from './window-state.js';
import { foldValue } from './pane-run.js';
import { warmCode } from '../core/warm-code.js';
import type { PaneAccess } from './pane-state.js';

/** The pane table of one window operator, and how records reach it and results leave it. */
export class PanePath<T, K, R> {
  readonly #setup: WindowSetup<T, K, R>;
  readonly #panes: PaneTable<Id>;
  /**
   * The panes that fired, while they accept late records; null without allowed lateness. A pane
   * table whose watermark is less the lateness (`#lateBound`): a pane is kept while its cleanup time
   * (Flink's `maxTimestamp + allowedLateness`) is after the watermark.
   */
  readonly #late: PaneTable<Id> | null;
  /** The accumulator (or elements) of each key's window. */
  readonly #inc: PaneContents;
  /** Accumulators as number columns, for built-in aggregates; else null. */
  readonly #columns: AggregateColumns | null;
  /**
   * What the checkpoint code opens (pane-state.ts: `paneRows`, `paneCanHold`, `restorePane`): the
   * incremental exports' bookkeeping is there, so that a bundle without checkpoints leaves it out.
   * Declared: set by the constructor.
   */
  declare readonly access: PaneAccess;

  constructor(setup: WindowSetup<T, K, R>) {
    this.#setup = setup;
    const columns = setup.aggregate !== null ? AggregateColumns.of(setup.aggregate) : null;
    this.#columns = columns;
    this.#panes = new PaneTable<Id>(setup.size, setup.offset, columns !== null ? () => columns.create() : undefined);
    this.#late =
      setup.lateness > 0
        ? new PaneTable<Id>(setup.size, setup.offset, columns !== null ? () => columns.create() : undefined)
        : null;
    this.#inc = setup.incremental ?? ELEMENTS;
    this.access = {
      setup: setup as WindowSetup<unknown, unknown, unknown>,
      table: this.#panes,
      late: this.#late,
      columns,
      inc: this.#inc,
      addSlot: (pane, id, key, keyGroup) => this.#addSlot(pane, id, key, keyGroup),
      groupOf: (pane, i) => this.#groupOf(pane, i),
      tracking: false,
    };
  }

  /** A record after a separate keyBy, or unkeyed (windowAll). */
  processRecord(record: StreamRecord<T, K>, out: Output<WindowResult<K, R>, K>): void {
    const setup = this.#setup;
    let key: unknown;
    let id: Id;
    let keyGroup: number;
    if (setup.keyed) {
      if (record.keyGroup < 0) throw new NotKeyedError('window()');
      key = record.key;
      id = keyId(key as never);
      keyGroup = record.keyGroup;
    } else {
      key = undefined;
      id = UNKEYED;
      keyGroup = -1;
    }
    const panes = this.#panes;
    const pane = panes.paneFor(record.timestamp, setup.watermark);
    if (pane === null) this.#lateRecord(record, record.value, record.timestamp, id, key, keyGroup, out);
    else this.add(pane, id, key, keyGroup, record.value, record.timestamp);
  }

  /** A value and its timestamp, keyed here by the fused keyBy `selectKey`. */
  processValue(value: T, timestamp: number, selectKey: (value: T) => K, out: Output<WindowResult<K, R>, K>): void {
    // Small enough to be inlined into the fused chain's loop: the timestamp, a double (milliseconds
    // exceed 31 bits), is not boxed to cross a call; what follows is called with the pane
    // (foldValue, pane-run.ts: one key lookup for a key on number columns, new or not).
    const pane = this.#panes.paneFor(timestamp, this.#setup.watermark);
    if (pane === null) this.lateValue(value, timestamp, selectKey, out);
    else foldValue(this, this.#panes, this.#columns, pane, value, timestamp, selectKey);
  }

  /** (pane-run.ts) */
  lateValue(value: T, timestamp: number, selectKey: (value: T) => K, out: Output<WindowResult<K, R>, K>): void {
    const key = checkKey(selectKey(value), value);
    this.#lateRecord(null, value, timestamp, keyId(key), key, FUSED_KEY_GROUP, out);
  }

  /**
   * A record whose window fired: within the allowed lateness it is added, and the window fires again
   * at once (EventTimeTrigger.onElement); else it is late data. `record`: null for a fused keyBy.
   */
  #lateRecord(
    record: StreamRecord<T, K> | null,
    value: T,
    timestamp: number,
    id: Id,
    key: unknown,
    keyGroup: number,
    out: Output<WindowResult<K, R>, K>,
  ): void {
    const setup = this.#setup;
    const watermark = setup.watermark;
    const pane = this.#late?.paneFor(timestamp, this.#lateBound(watermark)) ?? null;
    if (pane === null) {
      setup.late(record, value, timestamp, key, setup.groupOf(key, keyGroup));
      return;
    }
    this.add(pane, id, key, keyGroup, value, timestamp);
    const slot = pane.slots.get(id)!;
    this.#fireSlots(pane, watermark, false, watermark === MAX_WATERMARK, out, slot, slot + 1);
  }

  /** Adds `value` to the window of key `id` in `pane` (also for pane-run.ts). */
  add(pane: Pane<Id>, id: Id, key: unknown, keyGroup: number, value: T, timestamp: number): void {
    const slot = pane.slots.get(id) ?? -1; // (here, not in a method of the table: that stayed a call)
    const columns = this.#columns;
    if (columns !== null) {
      if (slot >= 0) {
        pane.dirty[slot] = 1; // (a store past the end, for a slot new since the export, is ignored)
        columns.add(pane.columns, slot, value);
      } else {
        // Filled before the slot is taken: a selector that throws leaves no half-made window.
        columns.first(pane.columns, pane.length, value);
        this.#addSlot(pane, id, key, keyGroup);
      }
    } else if (slot < 0) {
      const acc = this.#inc.first(value, timestamp);
      pane.accs[this.#addSlot(pane, id, key, keyGroup)] = acc;
    } else {
      pane.dirty[slot] = 1;
      const accs = pane.accs;
      const agg = this.#setup.aggregate;
      accs[slot] = agg !== null ? agg.add(value, accs[slot]) : this.#inc.add(accs[slot], value, timestamp);
    }
  }

  /** Takes the next slot of `pane` for a key; keeps its key group unless it is FUSED_KEY_GROUP. */
  #addSlot(pane: Pane<Id>, id: Id, key: unknown, keyGroup: number): number {
    // A pane the watermark passed is a late pane (a pane of the table ends after the watermark).
    const table = this.#late !== null && pane.maxTs <= this.#setup.watermark ? this.#late : this.#panes;
    const slot = table.addSlot(id, key, pane);
    // With a fused keyBy no group is kept (FUSED_KEY_GROUP): `groups` stays empty, `#groupOf` computes it.
    if (keyGroup !== FUSED_KEY_GROUP) pane.groups[slot] = keyGroup;
    return slot;
  }

  /** The key group of slot `i` of `pane`: as keyBy attached it, or computed for a fused keyBy. */
  #groupOf(pane: Pane<Id>, i: number): number {
    return this.#setup.selectKey !== null ? this.#setup.groupOf(pane.keys[i], FUSED_KEY_GROUP) : pane.groups[i]!;
  }

  /** The watermark from which `fire` has work: a pane's end or a late pane's cleanup. */
  get nextDue(): number {
    const due = this.#panes.nextDue;
    const late = this.#late;
    return late === null ? due : Math.min(due, this.#setup.cleanupTime(late.nextDue));
  }

  /** What the late table compares its panes' `maxTs` with: the watermark less the lateness. */
  #lateBound(watermark: number): number {
    return watermark === MAX_WATERMARK ? watermark : watermark - this.#setup.lateness;
  }

  /**
   * Fires every pane due at `watermark`, earliest first, each key in the order its window was
   * created; drops the late panes whose cleanup time it reached (Flink fires nothing then).
   */
  fire(watermark: number, out: Output<WindowResult<K, R>, K>): void {
    const panes = this.#panes;
    const late = this.#late;
    if (late !== null) {
      const bound = this.#lateBound(watermark);
      // Dropped: the next checkpoint leaves their tables out, which makes them empty.
      while (late.takeDue(bound) !== null);
    }
    const simple = late === null && this.#setup.fn.process === undefined;
    for (let pane = panes.takeDue(watermark); pane !== null; pane = panes.takeDue(watermark)) {
      if (!simple || pane.fired.length > 0) {
        this.#fireWhole(pane, watermark, out);
        continue;
      }
      const values = this.#setup.values;
      if (values !== null && this.#columns !== null) {
        // A fused toValues on columns: the user receives the WindowResults, which no record wraps, and
        // the pane itself waits for the batch's end, its results built as delivered (`deliver`): none
        // held on the heap, and building one cannot throw, so a failed batch still delivers nothing.
        // Its keys' index is not read again: cleared, it does not wait for the batch's end with it.
        pane.slots.clear();
        values[values.length] = pane;
        continue;
      }
      // Else each result as `#push` makes it (a plain WindowResult for a fused toValues, a record
      // otherwise): a call per result, which measured no slower than building it here (one copy less).
      for (let i = 0; i < pane.length; i++) this.#push(pane, i, this.#result(pane, i), ON_TIME_ONLY_PANE, out);
      panes.recycle(pane); // its results are built: nothing reads the pane now
    }
  }

  /**
   * The on-time firing of a pane with a process function or lateness, which then keeps the pane
   * until its cleanup time. The on-time pane is the last only without lateness, or at the end of input.
   */
  #fireWhole(pane: Pane<Id>, watermark: number, out: Output<WindowResult<K, R>, K>): void {
    const maxTs = pane.maxTs;
    const last = this.#late === null || watermark === MAX_WATERMARK;
    this.#fireSlots(pane, maxTs, true, last, out);
    if (!last && this.#setup.cleanupTime(maxTs) > watermark) {
      pane.dirty.fill(1); // (the counts are exported: every key of the pane changed)
      this.#late!.insert(pane);
    }
  }

  /**
   * Fires every open pane as EARLY panes without dropping it (fire-early.ts): each window's count
   * goes up, so its on-time pane follows with the next index.
   */
  fireEarly(out: Output<WindowResult<K, R>, K>): void {
    for (const pane of this.#panes.panes()) {
      pane.dirty.fill(1); // (the counts are exported: every key of the pane changed)
      this.#fireSlots(pane, this.#setup.watermark, false, false, out);
    }
  }

  /**
   * Emits the slots of `pane` from `from` to `to` (all by default) as their next pane at `time`
   * (PaneInfo: on time or not, last or not), counting the firing. The on-time pane follows the early
   * ones (fire-early.ts): its index is their count. While none fired, the slots share one pane info.
   */
  #fireSlots(
    pane: Pane<Id>,
    time: number,
    onTime: boolean,
    last: boolean,
    out: Output<WindowResult<K, R>, K>,
    from = 0,
    to = pane.length,
  ): void {
    const fired = pane.fired;
    const shared = fired.length === 0 ? paneOf(0, time, pane.maxTs, onTime, last) : null;
    for (let i = from; i < to; i++) {
      const index = fired[i] ?? 0;
      fired[i] = index + 1;
      this.#emit(pane, i, shared ?? paneOf(index, time, pane.maxTs, onTime, last), out);
    }
  }

  /** Emits slot `i` of `pane` as pane `info` (through the process function, if any). */
  #emit(pane: Pane<Id>, i: number, info: PaneInfo, out: Output<WindowResult<K, R>, K>): void {
    const result = this.#result(pane, i);
    if (this.#setup.fn.process === undefined) this.#push(pane, i, result, info, out);
    else
      runProcess(this.#setup, pane.keys[i] as K, pane.window, result, (value) => this.#push(pane, i, value, info, out));
  }

  #push(pane: Pane<Id>, i: number, value: R, info: PaneInfo, out: Output<WindowResult<K, R>, K>): void {
    const key = pane.keys[i] as K;
    const result = { key, window: pane.window, value, pane: info };
    const values = this.#setup.values;
    if (values !== null) values.push(result);
    else out.push({ kind: 'record', value: result, timestamp: pane.maxTs, key, keyGroup: this.#groupOf(pane, i) });
  }

  /** Hands `to` the results of `pane`, which `fire` held on columns; returns their count. */
  deliver(pane: Pane<Id>, to: { next(result: WindowResult<K, R>): void }): number {
    const { window, keys, length } = pane;
    const columns = this.#columns!;
    for (let i = 0; i < length; i++) {
      const result = {
        key: keys[i] as K,
        window,
        value: columns.result(pane.columns, i) as R,
        pane: ON_TIME_ONLY_PANE,
      };
      to.next(result);
      if (i === 0) warmCode.result = result; // for the code of the results path (core/warm-code.ts)
    }
    this.#panes.recycle(pane); // nothing reads the pane now
    return length;
  }

  /** The result of slot `i` of `pane`. */
  #result(pane: Pane<Id>, i: number): R {
    const columns = this.#columns;
    if (columns !== null) return columns.result(pane.columns, i) as R;
    const agg = this.#setup.aggregate;
    return (agg !== null ? agg.getResult(pane.accs[i]) : this.#inc.result(pane.accs[i])) as R;
  }

  get windowCount(): number {
    return this.#panes.windowCount + (this.#late?.windowCount ?? 0);
  }

  clear(): void {
    this.access.tracking = false;
    this.#panes.clear();
    this.#late?.clear();
  }
}
