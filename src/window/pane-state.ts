/**
 * The pane path's state in and out of checkpoints (pane-path.ts): its windows as columnar pane
 * tables (pane-rows.ts), and their restore, also from window rows (window-rows.ts: checkpoints
 * written before pane tables held fired panes, and state of the general path). Kept apart from the
 * per-record path so that file stays one concept; it works on what `PaneAccess` opens.
 */
import { accExportOf } from './acc-export.js';
import { clonePlain } from './aggregates.js';
import { fromAccumulator, toAccumulator } from './column-accumulators.js';
import type { AggregateColumns } from './aggregate-columns.js';
import { FUSED_KEY_GROUP, type WindowSetup } from './config.js';
import { exportPanes, paneTableCanHold, windowDataOf, type Elements, type PaneContents } from './pane-contents.js';
import { panesFit, takeWrittenSlots, type PaneColumns, type PaneRowSource, type PaneSlots } from './pane-rows.js';
import type { Pane, PaneTable } from './panes.js';
import type { KeyData, WindowData, WindowOperatorState } from './types.js';
import { UNKEYED, type Id } from './window-state.js';
import { keyId } from '../core/keys.js';

/** What a pane path opens to its checkpoint code: its tables, and how a slot is taken and read. */
export interface PaneAccess {
  readonly setup: WindowSetup<unknown, unknown, unknown>;
  readonly table: PaneTable<Id>;
  /** The fired panes kept for late records (pane-path.ts); null without allowed lateness. */
  readonly late: PaneTable<Id> | null;
  readonly columns: AggregateColumns | null;
  readonly inc: PaneContents;
  /** Takes the next slot of `pane` for a key (FUSED_KEY_GROUP: none kept). */
  addSlot(pane: Pane<Id>, id: Id, key: unknown, keyGroup: number): number;
  groupOf(pane: Pane<Id>, i: number): number;
  /** Whether written slots are recorded for pane tables (after the first export). */
  tracking: boolean;
}

/** Every pane with windows: the late ones (all ended), then the table's. */
const allPanes = (a: PaneAccess): Pane<Id>[] => {
  const panes = a.table.panes();
  return a.late === null ? panes : [...a.late.panes(), ...panes];
};

/**
 * The pane path's pending timers, as the general path would hold them.
 *
 * @example
 * ```ts
 * // internal: paneTimerCount(panes.access) // one per window without lateness
 * ```
 */
export function paneTimerCount(a: PaneAccess): number {
  const late = a.late;
  if (late === null) return a.table.windowCount;
  // Each key of a live pane has its end's timer and, if finite, a cleanup timer; of a late pane, the latter.
  const timers = (panes: Pane<Id>[], live: number) => {
    let n = 0;
    for (const pane of panes) n += pane.length * (live + (a.setup.cleanupTime(pane.maxTs) === Infinity ? 0 : 1));
    return n;
  };
  return timers(a.table.panes(), 1) + timers(late.panes(), 0);
}

/**
 * The pane path's keys with at least one window.
 *
 * @example
 * ```ts
 * // internal: paneKeyCount(panes.access) // 2 for keys 'a' and 'b' in any panes
 * ```
 */
export function paneKeyCount(a: PaneAccess): number {
  const keys = new Set<Id>();
  for (const pane of allPanes(a)) for (const id of pane.slots.keys()) keys.add(id);
  return keys.size;
}

const idOf = (a: PaneAccess, key: unknown): Id => (a.setup.keyed ? keyId(key as never) : UNKEYED);

/** The accumulator (or elements) of slot `i` of `pane`. */
const accOf = (a: PaneAccess, pane: Pane<Id>, i: number): unknown =>
  a.columns !== null ? toAccumulator(a.columns, pane.columns, i) : pane.accs[i];

/**
 * The panes' windows as window rows grouped by key, in the order the keys first appear; with
 * `only`, that key's alone.
 *
 * @example
 * ```ts
 * // internal: exportPaneKeys(access, undefined) // [{ key: 'a', keyGroup: 7, windows: [...] }, ...]
 * ```
 */
export function exportPaneKeys(a: PaneAccess, only: Id | undefined): KeyData[] {
  const acc = accExportOf(a.setup.incremental);
  const data = (pane: Pane<Id>, i: number): WindowData => {
    return windowDataOf(a.setup, acc, pane.window, accOf(a, pane, i), pane.fired[i] ?? 0);
  };
  return exportPanes(allPanes(a), only, (pane, i) => a.groupOf(pane, i), data);
}

/**
 * The panes (the late ones too) as the checkpoint's pane tables read them (pane-rows.ts); after the
 * first call, each with the slots written since the last call.
 */
function exportPaneSlots(a: PaneAccess): PaneSlots[] {
  const acc = accExportOf(a.setup.incremental);
  const elements = a.setup.incremental === null;
  const tracking = a.tracking;
  a.tracking = true;
  return allPanes(a).map((pane) => ({
    window: pane.window,
    length: pane.length,
    fired: pane.fired.length > 0,
    changed: takeWrittenSlots(pane, tracking),
    key: (i) => clonePlain(pane.keys[i], 'key'),
    keyGroup: (i) => a.groupOf(pane, i),
    acc: (i) => {
      const value = accOf(a, pane, i);
      return elements ? copyElements(value as Elements) : acc.exportAcc(value);
    },
    count: (i) => pane.fired[i] ?? 0,
  }));
}

/** A copy of a window's elements (the checkpoint's or the restored state's stay apart from the window's). */
const copyElements = (e: Elements): Elements => ({ values: e.values.slice(), times: e.times.slice() });

/** Puts a restored key's accumulator (or elements) into a new slot of `pane`. */
function put(a: PaneAccess, pane: Pane<Id>, key: unknown, keyGroup: number, acc: unknown): number {
  // A fused keyBy computes key groups itself (as it would have attached them): none is kept.
  const slot = a.addSlot(pane, idOf(a, key), key, a.setup.selectKey !== null ? FUSED_KEY_GROUP : keyGroup);
  if (a.columns === null) pane.accs[slot] = acc;
  else fromAccumulator(a.columns, acc, pane.columns, slot);
  return slot;
}

/**
 * Restores pane tables that `paneCanHold` accepted, into the cleared table: panes the watermark
 * passed go to the late panes, with their firing counts.
 *
 * @example
 * ```ts
 * // internal: restorePaneColumns(access, 50, [{ window: { start: 0, end: 100 }, keyGroup: 7, keys: ['a'], accs: [3], counts: [], elements: false }])
 * ```
 */
function restorePaneColumns(a: PaneAccess, watermark: number, panes: readonly PaneColumns[]): void {
  const acc = accExportOf(a.setup.incremental);
  for (const { window, keyGroup, keys, accs, counts, elements } of panes) {
    const pane = (window.end - 1 > watermark ? a.table : a.late!).paneAt(window.start);
    for (let i = 0; i < keys.length; i++) {
      const restored = elements ? copyElements(accs[i] as Elements) : acc.importAcc(accs[i]);
      const slot = put(a, pane, clonePlain(keys[i], 'key'), keyGroup, restored);
      const fired = counts[i] as number | undefined;
      if (fired) pane.fired[slot] = fired;
    }
  }
}

/**
 * Restores window rows that the path's `canHold` accepted, into the cleared table: windows the
 * watermark passed go to the late panes (with their firing counts).
 *
 * @example
 * ```ts
 * // internal: restorePaneRows(access, state)
 * ```
 */
function restorePaneRows(a: PaneAccess, s: WindowOperatorState): void {
  const process = a.setup.incremental === null;
  const accs = accExportOf(a.setup.incremental);
  for (const k of s.keys) {
    const key = clonePlain(k.key, 'key');
    // A window without contents would fire nothing and be dropped: it needs no slot.
    for (const w of k.windows) {
      if (!w.has) continue;
      // Windows the watermark passed are late panes; both keep their firing counts.
      const pane = (w.end - 1 > s.watermark ? a.table : a.late!).paneAt(w.start);
      const acc = process ? { values: w.values!.slice(), times: w.times!.slice() } : accs.importAcc(w.acc);
      const slot = put(a, pane, key, k.keyGroup, acc);
      if (w.panes) pane.fired[slot] = w.panes;
    }
  }
}

/**
 * The pane path as the checkpoint's exporter reads it (pane-rows.ts `PaneExporter`). Here rather
 * than a method of `PanePath`, with the bookkeeping of incremental exports in `a`, so that a bundle
 * of windows without checkpoints leaves it out (window-codec.ts).
 *
 * @example
 * ```ts
 * // internal: exports.panes.export(paneRows(panes.access), checkpoint.incremental)
 * ```
 */
export function paneRows(a: PaneAccess): PaneRowSource {
  return { exportPanes: () => exportPaneSlots(a) };
}

/**
 * Whether the pane table of `a` can hold restored state: its window rows (pane-contents.ts
 * `paneTableCanHold`) and its pane tables (pane-rows.ts `panesFit`); else the general path restores it.
 *
 * @example
 * ```ts
 * // internal: if (paneCanHold(panes.access, state, paneColumns)) restorePane(panes.access, state, paneColumns);
 * ```
 */
export function paneCanHold(a: PaneAccess, s: WindowOperatorState, panes: readonly PaneColumns[]): boolean {
  const { incremental, size, offset } = a.setup;
  // (Elements for a process function, accumulators for the others: else the general path converts.)
  const fit =
    panes.every((p) => p.elements === (incremental === null)) &&
    panesFit(panes, size, offset, (t) => a.setup.cleanupTime(t), s.watermark);
  return fit && paneTableCanHold(a.setup, s);
}

/**
 * Restores state that `paneCanHold` accepted into the cleared pane table: window rows, then pane tables.
 *
 * @example
 * ```ts
 * // internal: restorePane(panes.access, state, paneColumns)
 * ```
 */
export function restorePane(a: PaneAccess, s: WindowOperatorState, panes: readonly PaneColumns[]): void {
  restorePaneRows(a, s);
  restorePaneColumns(a, s.watermark, panes);
}
