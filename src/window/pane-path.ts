/**
 * The window operator's fast path: tumbling event-time windows with the default trigger, an
 * incremental function and no allowed lateness, on a PaneTable (panes.ts). A pane never fires on
 * an element, only on a watermark, and fires whole; the results are those of the general path.
 */
import type { StreamRecord } from '../core/elements.js';
import { NotKeyedError } from '../core/errors.js';
import { checkKey, keyId } from '../core/keys.js';
import type { Output } from '../core/operator.js';
import { AggregateColumns } from './aggregate-columns.js';
import { clonePlain } from './aggregates.js';
import { FUSED_KEY_GROUP, type WindowSetup } from './config.js';
import { PaneTable, type Pane } from './panes.js';
import { ON_TIME_ONLY_PANE } from './pane-info.js';
import type { KeyData, WindowData, WindowOperatorState, WindowResult } from './types.js';
import { UNKEYED, type Id } from './window-state.js';
import type { PaneColumns, PaneSlots } from './pane-rows.js';
import { windowStart } from './windows.js';

/** The pane table of one window operator, and how records reach it and results leave it. */
export class PanePath<T, K, R> {
  readonly #setup: WindowSetup<T, K, R>;
  readonly #panes: PaneTable<Id>;
  /** The accumulators as number columns of each pane, where the aggregate is built from built-ins; else null. */
  readonly #columns: AggregateColumns | null;
  /** Whether the slots written since an export are recorded (for incremental checkpoints): from the first export on, until a restore. */
  #tracking = false;

  constructor(setup: WindowSetup<T, K, R>) {
    this.#setup = setup;
    const columns = setup.aggregate !== null ? AggregateColumns.of(setup.aggregate) : null;
    this.#columns = columns;
    this.#panes = new PaneTable<Id>(setup.size, setup.offset, columns !== null ? () => columns.create() : undefined);
  }

  /** A record after a separate keyBy, or unkeyed (windowAll). */
  processRecord(record: StreamRecord<T, K>): void {
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
    if (pane === null) {
      // Late for its only window: with no allowed lateness, the element is always behind the watermark.
      setup.late(record, record.value, record.timestamp, key, keyGroup);
      return;
    }
    this.#add(pane, id, key, keyGroup, record.value);
  }

  /** A value and its timestamp, keyed here by the fused keyBy `selectKey`. */
  processValue(value: T, timestamp: number, selectKey: (value: T) => K): void {
    // Small enough to be inlined into the fused chain's loop: the timestamp, a double (milliseconds
    // exceed 31 bits), is not boxed to cross a call; what follows is called with the pane.
    const pane = this.#panes.paneFor(timestamp, this.#setup.watermark);
    if (pane === null) this.#lateValue(value, timestamp, selectKey);
    else this.#keyValue(pane, value, selectKey);
  }

  #lateValue(value: T, timestamp: number, selectKey: (value: T) => K): void {
    const key = checkKey(selectKey(value), value);
    this.#setup.late(null, value, timestamp, key, this.#setup.groupOf(key, FUSED_KEY_GROUP));
  }

  #keyValue(pane: Pane<Id>, value: T, selectKey: (value: T) => K): void {
    const key = checkKey(selectKey(value), value);
    // The key group is computed only where needed: for a record out (not for a fused toValues) and
    // for snapshots.
    this.#add(pane, keyId(key), key, FUSED_KEY_GROUP, value);
  }

  #add(pane: Pane<Id>, id: Id, key: unknown, keyGroup: number, value: T): void {
    const panes = this.#panes;
    const slot = panes.slotOf(id, pane);
    const columns = this.#columns;
    if (columns !== null) {
      if (slot >= 0) {
        pane.dirty[slot] = 1; // (a store past the end, for a slot new since the export, is ignored)
        columns.add(pane.columns, slot, value);
      } else {
        // Filled before the slot is taken: a selector that throws leaves no half-made window.
        columns.first(pane.columns, pane.keys.length, value);
        this.#addSlot(pane, id, key, keyGroup);
      }
    } else if (slot < 0) {
      const acc = this.#setup.incremental!.first(value);
      pane.accs[this.#addSlot(pane, id, key, keyGroup)] = acc;
    } else {
      pane.dirty[slot] = 1;
      const accs = pane.accs;
      const agg = this.#setup.aggregate;
      accs[slot] = agg !== null ? agg.add(value, accs[slot]) : this.#setup.incremental!.add(accs[slot], value);
    }
  }

  /** Takes the next slot of `pane` for a key; keeps its key group unless it is FUSED_KEY_GROUP. */
  #addSlot(pane: Pane<Id>, id: Id, key: unknown, keyGroup: number): number {
    const slot = this.#panes.addSlot(id, key, pane);
    // With a fused keyBy no group is kept (FUSED_KEY_GROUP): `groups` stays empty, `#groupOf` computes it.
    if (keyGroup !== FUSED_KEY_GROUP) pane.groups[slot] = keyGroup;
    return slot;
  }

  /** The key group of slot `i` of `pane`: as keyBy attached it, or computed for a fused keyBy. */
  #groupOf(pane: Pane<Id>, i: number): number {
    return this.#setup.selectKey !== null ? this.#setup.groupOf(pane.keys[i], FUSED_KEY_GROUP) : pane.groups[i]!;
  }

  /** The watermark from which `fire` has something to do: the earliest pane's. */
  get nextDue(): number {
    return this.#panes.nextDue;
  }

  /** Fires and drops every pane due at `watermark`, earliest first, each key in the order its window was created. */
  fire(watermark: number, out: Output<WindowResult<K, R>, K>): void {
    const panes = this.#panes;
    for (let pane = panes.takeDue(watermark); pane !== null; pane = panes.takeDue(watermark)) {
      const { window, maxTs, keys } = pane;
      const values = this.#setup.values;
      if (values !== null) {
        // A fused toValues: the user receives the WindowResult; no record wraps it.
        for (let i = 0; i < keys.length; i++)
          values[values.length] = { key: keys[i] as K, window, value: this.#result(pane, i), pane: ON_TIME_ONLY_PANE };
        continue;
      }
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as K;
        out[out.length] = {
          // (a store at the end: see PaneTable.add)
          kind: 'record',
          value: { key, window, value: this.#result(pane, i), pane: ON_TIME_ONLY_PANE },
          timestamp: maxTs,
          key,
          keyGroup: this.#groupOf(pane, i),
        };
      }
    }
  }

  /** The result of slot `i` of `pane`. */
  #result(pane: Pane<Id>, i: number): R {
    const columns = this.#columns;
    if (columns !== null) return columns.result(pane.columns, i) as R;
    const agg = this.#setup.aggregate;
    return (agg !== null ? agg.getResult(pane.accs[i]) : this.#setup.incremental!.result(pane.accs[i])) as R;
  }

  get windowCount(): number {
    return this.#panes.windowCount;
  }

  get keyCount(): number {
    const keys = new Set<Id>();
    for (const pane of this.#panes.panes()) for (const id of pane.slots.keys()) keys.add(id);
    return keys.size;
  }

  clear(): void {
    this.#tracking = false;
    this.#panes.clear();
  }

  /** The panes' windows grouped by key, in the order the keys first appear (earliest pane first). */
  exportKeys(): KeyData[] {
    const byId = new Map<Id, { key: unknown; keyGroup: number; windows: WindowData[] }>();
    for (const pane of this.#panes.panes()) {
      for (const [id, i] of pane.slots) {
        let k = byId.get(id);
        if (k === undefined) {
          k = { key: clonePlain(pane.keys[i], 'key'), keyGroup: this.#groupOf(pane, i), windows: [] };
          byId.set(id, k);
        }
        k.windows.push(this.#windowData(pane, i));
      }
    }
    return [...byId.values()];
  }

  #idOf(key: unknown): Id {
    return this.#setup.keyed ? keyId(key as never) : UNKEYED;
  }

  /** The exported accumulator of slot `i` of `pane`. */
  #exportAcc(pane: Pane<Id>, i: number): unknown {
    const acc = this.#columns !== null ? this.#columns.toAccumulator(pane.columns, i) : pane.accs[i];
    return this.#setup.incremental!.exportAcc(acc);
  }

  /**
   * The live panes as the checkpoint's pane tables read them (pane-rows.ts), each with the slots
   * written since the last call: added since, or updated since (marked `dirty`, a byte store per
   * record). On the first call, and the first after a restore, no slot is recorded (`changed` is
   * undefined: the export is full).
   */
  exportPanes(): PaneSlots[] {
    const tracking = this.#tracking;
    this.#tracking = true;
    return this.#panes.panes().map((pane): PaneSlots => {
      let changed: number[] | undefined;
      if (tracking) {
        // By slot, not through the pane's Map: a scan of a byte per key costs next to nothing.
        changed = [];
        const { dirty, exported } = pane;
        for (let i = 0; i < exported; i++) if (dirty[i] === 1) changed.push(i);
        for (let i = exported; i < pane.keys.length; i++) changed.push(i);
      }
      pane.exported = pane.keys.length;
      pane.dirty = new Uint8Array(pane.exported);
      return {
        window: pane.window,
        length: pane.keys.length,
        changed,
        key: (i) => clonePlain(pane.keys[i], 'key'),
        keyGroup: (i) => this.#groupOf(pane, i),
        acc: (i) => this.#exportAcc(pane, i),
      };
    });
  }

  /**
   * Whether the table can hold restored pane tables (pane-rows.ts): panes of this operator's size
   * and alignment that the watermark has not passed.
   */
  canHoldPanes(panes: readonly PaneColumns[], watermark: number): boolean {
    const { size, offset } = this.#setup;
    return panes.every(
      ({ window: w }) =>
        w.end - w.start === size && windowStart(w.start, offset, size) === w.start && w.end - 1 > watermark,
    );
  }

  /** Restores pane tables that `canHoldPanes` accepted, into the table (cleared before). */
  restorePanes(panes: readonly PaneColumns[]): void {
    const inc = this.#setup.incremental!;
    const columns = this.#columns;
    // A fused keyBy computes key groups itself (as it would have attached them): none is kept.
    const fused = this.#setup.selectKey !== null;
    for (const { window, keyGroup, keys, accs } of panes) {
      const pane = this.#panes.paneAt(window.start);
      for (let i = 0; i < keys.length; i++) {
        const key = clonePlain(keys[i], 'key');
        const slot = this.#addSlot(pane, this.#idOf(key), key, fused ? FUSED_KEY_GROUP : keyGroup);
        const acc = inc.importAcc(accs[i]);
        if (columns === null) pane.accs[slot] = acc;
        else columns.fromAccumulator(acc, pane.columns, slot);
      }
    }
  }

  /** What the general layout exports for slot `i` of `pane`: its accumulator, one event-time timer at end - 1. */
  #windowData(pane: Pane<Id>, i: number): WindowData {
    return {
      start: pane.window.start,
      end: pane.window.end,
      has: true,
      acc: this.#exportAcc(pane, i),
      values: null,
      times: null,
      trigger: null,
      eventTimers: [pane.maxTs],
      processingTimers: [],
    };
  }

  /**
   * Whether the table can hold the state: windows of this operator's size and alignment, not yet
   * fired, with no more than the timer at end - 1 (state exported by an operator with another
   * trigger or lateness may hold more; the general path restores that).
   */
  canHold(s: WindowOperatorState): boolean {
    const { size, offset } = this.#setup;
    for (const k of s.keys) {
      for (const w of k.windows) {
        if (w.end - w.start !== size || windowStart(w.start, offset, size) !== w.start || w.end - 1 <= s.watermark)
          return false;
        if (w.values !== null || w.trigger !== null || w.processingTimers.length > 0) return false;
        if (w.eventTimers.some((t) => t !== w.end - 1) || (w.panes ?? 0) > 0) return false;
      }
    }
    return true;
  }

  /** Restores state that `canHold` accepted, into the cleared table. */
  restore(s: WindowOperatorState): void {
    const panes = this.#panes;
    const inc = this.#setup.incremental!;
    for (const k of s.keys) {
      const key = clonePlain(k.key, 'key');
      const id = this.#idOf(key);
      // A window without contents would fire nothing and be dropped: it needs no slot.
      for (const w of k.windows) {
        if (!w.has) continue;
        const pane = panes.paneAt(w.start);
        const acc = inc.importAcc(w.acc);
        // A fused keyBy computes key groups itself (as it would have attached them): none is kept.
        const keyGroup = this.#setup.selectKey !== null ? FUSED_KEY_GROUP : k.keyGroup;
        const slot = this.#addSlot(pane, id, key, keyGroup);
        if (this.#columns === null) pane.accs[slot] = acc;
        else this.#columns.fromAccumulator(acc, pane.columns, slot);
      }
    }
  }
}
