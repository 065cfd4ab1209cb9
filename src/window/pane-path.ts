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
import type { KeyRef } from './window-rows.js';
import { windowStart } from './windows.js';

/** The pane table of one window operator, and how records reach it and results leave it. */
export class PanePath<T, K, R> {
  readonly #setup: WindowSetup<T, K, R>;
  readonly #panes: PaneTable<Id>;
  /** The accumulators as number columns of each pane, where the aggregate is built from built-ins; else null. */
  readonly #columns: AggregateColumns | null;
  /** The panes fired since the last checkpoint's export (their keys' rows changed); null before the first export. */
  #fired: Pane<Id>[] | null = null;

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

  /** `processValue` for `values[from, to)` at `timestamps[from, to)`, in one loop with the pane at hand. */
  processValues(
    values: readonly T[],
    timestamps: Float64Array,
    from: number,
    to: number,
    selectKey: (value: T) => K,
  ): void {
    const panes = this.#panes;
    const watermark = this.#setup.watermark; // (a run raises it only after its last value)
    let pane: Pane<Id> | null = null;
    let start = 0;
    let end = -Infinity;
    for (let i = from; i < to; i++) {
      const value = values[i]!;
      const ts = timestamps[i]!;
      if (!(ts >= start && ts < end)) {
        pane = panes.paneFor(ts, watermark);
        if (pane === null) {
          this.#lateValue(value, ts, selectKey);
          continue;
        }
        start = pane.window.start;
        end = pane.window.end;
      }
      this.#keyValue(pane!, value, selectKey);
    }
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
    const slot = pane.slots.get(id) ?? -1; // (here, not in a method of the table: that stayed a call)
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
      this.#fired?.push(pane);
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
    this.#fired = null;
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

  /** The windows of one key, as `exportKeys` exports them; undefined when it has none. */
  exportKey(id: Id): KeyData | undefined {
    let k: { key: unknown; keyGroup: number; windows: WindowData[] } | undefined;
    for (const pane of this.#panes.panes()) {
      const i = pane.slots.get(id);
      if (i === undefined) continue;
      k ??= { key: clonePlain(pane.keys[i], 'key'), keyGroup: this.#groupOf(pane, i), windows: [] };
      k.windows.push(this.#windowData(pane, i));
    }
    return k;
  }

  /**
   * The keys whose windows changed since the last call (window-rows.ts), with their key and key
   * group; undefined on the first call and the first after a restore (the export is then full):
   * the keys of the panes fired since, of the slots added since, and of the slots updated since.
   */
  takeChanged(): Map<Id, KeyRef> | undefined {
    const fired = this.#fired;
    const changed = fired === null ? undefined : new Map<Id, KeyRef>();
    const add = (pane: Pane<Id>, id: Id, i: number): void => {
      if (!changed!.has(id)) changed!.set(id, { key: pane.keys[i], keyGroup: this.#groupOf(pane, i) });
    };
    if (changed !== undefined) for (const pane of fired!) for (const [id, i] of pane.slots) add(pane, id, i);
    for (const pane of this.#panes.panes()) {
      if (changed !== undefined) {
        // By slot, not through the pane's Map: a scan of a byte per key costs next to nothing.
        const { keys, dirty } = pane;
        for (let i = 0; i < keys.length; i++)
          if (i >= pane.exported || dirty[i] === 1) add(pane, this.#idOf(keys[i]), i);
      }
      pane.exported = pane.keys.length;
      pane.dirty = new Uint8Array(pane.exported);
    }
    this.#fired = [];
    return changed;
  }

  #idOf(key: unknown): Id {
    return this.#setup.keyed ? keyId(key as never) : UNKEYED;
  }

  /** What the general layout exports for slot `i` of `pane`: its accumulator, one event-time timer at end - 1. */
  #windowData(pane: Pane<Id>, i: number): WindowData {
    const acc = this.#columns !== null ? this.#columns.toAccumulator(pane.columns, i) : pane.accs[i];
    return {
      start: pane.window.start,
      end: pane.window.end,
      has: true,
      acc: this.#setup.incremental!.exportAcc(acc),
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
