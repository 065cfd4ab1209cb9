/**
 * The general path's windows in the exported state (WindowOperatorState, version 1) and back: each
 * window's contents, trigger state and timers are read from (and restored into) the keyed state and
 * timer layer under the window's namespace. The pane table writes the same format
 * (pane-state.ts `exportPaneKeys`), so either path restores what the other exported.
 */
import { accExportOf } from './acc-export.js';
import { clonePlain } from './aggregates.js';
import type { WindowSetup } from './config.js';
import type { GeneralPath } from './general-path.js';
import type { KeyData, WindowOperatorState } from './types.js';
import { keyId } from '../core/keys.js';
import { type KeyEntry, UNKEYED, WindowState, type Id } from './window-state.js';
import { GLOBAL_WINDOW } from './windows.js';
import type { WindowRowSource } from './window-rows.js';

/**
 * The general path's keys with their windows, as plain data.
 *
 * @example
 * ```ts
 * // internal: { version: 1, ..., keys: [...exportPaneKeys(panes.access, undefined), ...exportWindows(setup, general)] }
 * ```
 */
export function exportWindows<T, K, R>(setup: WindowSetup<T, K, R>, general: GeneralPath<T, K, R>): KeyData[] {
  const keys: KeyData[] = [];
  for (const entry of general.keys.values()) if (entry.size > 0) keys.push(exportEntry(setup, general, entry));
  return keys;
}

/**
 * One key's windows, as plain data: a row of the key-grouped export (window-rows.ts).
 *
 * @example
 * ```ts
 * // internal: const entry = general.keys.get(id); if (entry !== undefined) exportEntry(setup, general, entry)
 * ```
 */
export function exportEntry<T, K, R>(
  setup: WindowSetup<T, K, R>,
  general: GeneralPath<T, K, R>,
  entry: KeyEntry,
): KeyData {
  const inc = setup.incremental;
  const contents = general.contents;
  return {
    key: clonePlain(entry.key, 'key'),
    keyGroup: entry.keyGroup,
    windows: entry.windows().map((ws) => {
      const acc = inc !== null ? contents.acc(ws) : undefined;
      const elements = inc === null ? contents.elements(ws) : undefined;
      return {
        start: ws.start,
        end: ws.end,
        has: acc !== undefined || elements !== undefined,
        acc: acc !== undefined ? accExportOf(inc).exportAcc(acc) : null,
        values: elements === undefined ? null : elements.values.slice(),
        times: elements === undefined ? null : elements.times.slice(),
        trigger:
          general.ctx
            .statesOf(ws)
            ?.map(([name, value]): [string, unknown] => [name, clonePlain(value, 'trigger state')]) ?? null,
        eventTimers: general.timers.timesOf(ws, true),
        processingTimers: general.timers.timesOf(ws, false),
        ...(ws.panes > 0 ? { panes: ws.panes } : {}),
      };
    }),
  };
}

/**
 * Restores validated state into a cleared general path: each window with its contents, trigger
 * state and timers, keys in the order of the state (which is then the timers' registration order).
 *
 * @example
 * ```ts
 * // internal: general.clear(); restoreWindows(setup, general, validated)
 * ```
 */
export function restoreWindows<T, K, R>(
  setup: WindowSetup<T, K, R>,
  general: GeneralPath<T, K, R>,
  s: WindowOperatorState,
): void {
  const inc = setup.incremental;
  general.ctx.currentWatermark = s.watermark;
  for (const k of s.keys) {
    const key = clonePlain(k.key, 'key');
    const id: Id = setup.keyed ? keyId(key as never) : UNKEYED;
    const entry: KeyEntry = general.addEntry(id, key, k.keyGroup);
    for (const w of k.windows) {
      const window = setup.global ? GLOBAL_WINDOW : null;
      const ws = new WindowState(entry, w.start, w.end, setup.cleanupTime(w.end - 1), window);
      ws.panes = w.panes ?? 0; // (older snapshots have no count: 0)
      entry.add(ws);
      if (w.has && inc !== null) general.contents.setAcc(ws, accExportOf(inc).importAcc(w.acc));
      else if (w.values !== null && w.times !== null)
        general.contents.setElements(ws, { values: w.values.slice(), times: w.times.slice() });
      if (w.trigger !== null) {
        general.ctx.ws = ws;
        for (const [name, value] of w.trigger) general.ctx.setState(name, clonePlain(value, 'trigger state'));
      }
      for (const t of w.eventTimers) general.timers.register(ws, t, true);
      for (const t of w.processingTimers) general.timers.register(ws, t, false);
    }
  }
}

/**
 * The general path as a source of window rows (window-rows.ts): its keys, and the keys it
 * recorded as changed (`GeneralPath.changed`), from the first export on.
 *
 * @example
 * ```ts
 * // internal: exporter.export(generalRows(setup, general), checkpoint.incremental)
 * ```
 */
export function generalRows<T, K, R>(setup: WindowSetup<T, K, R>, general: GeneralPath<T, K, R>): WindowRowSource<Id> {
  return {
    exportKeys: () => exportWindows(setup, general),
    exportKey: (id) => {
      const entry = general.keys.get(id);
      return entry === undefined || entry.size === 0 ? undefined : exportEntry(setup, general, entry);
    },
    takeChanged: () => {
      const changed = general.changed ?? undefined;
      general.changed = new Map();
      return changed;
    },
  };
}
