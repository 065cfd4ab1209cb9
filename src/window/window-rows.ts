/**
 * The window operator's checkpoint in the one key-grouped export format of keyed state
 * (docs/checkpoints.md §10, state/keyed-export.ts): one row per key, its windows (contents, trigger
 * state, timers, pane count) as `WindowOperatorState` lists them, in tables `<keyGroup>/windows`.
 * Full, or incremental: only the rows of the keys whose windows changed since the last export (the
 * general path records those keys), and deletes for keys left without a window. The pane path
 * exports columnar pane tables instead (pane-rows.ts), and the general path the tables of its keyed
 * state layer: this format is what earlier versions wrote, and a restore reads it and both others.
 *
 * A restore reads only the tables of the key groups it is given (`rowsByName`), so that parallel
 * instances can split one window operator's state; state of the version before this format (a
 * `WindowOperatorState` v1, stored whole) needs no migration: its keys are the rows, each with its
 * key group, so a restore takes those of its range (format 0 of state/format-migration.ts, read
 * here without the keyed state's migrations).
 */
import type { Key } from '../core/keys.js';
import { defineOwn } from '../core/plain-data.js';
import {
  inKeyGroupRange,
  keyGroupTable,
  type KeyedTableSnapshot,
  type KeyGroupRange,
  type OperatorStateSnapshot,
} from '../core/state-snapshot.js';
import { isObject } from '../state/cells.js';
import { StateRestoreError } from '../state/errors.js';
import { keyGroupTables } from '../state/keyed-export.js';
import { KEYED_STATE_FORMAT, type KeyedStateExport, type KeyedStateHeader } from '../state/snapshot-types.js';
import { paneWindowOf, type PaneColumns } from './pane-rows.js';
import type { KeyData, WindowData, WindowOperatorState } from './types.js';
import { tableKey, type KeyRef } from './window-state.js';

/** The name of the window rows' tables: `<keyGroup>/windows`. */
export const WINDOW_ROWS = 'windows';

/** The header of a window operator's keyed tables: no state of the backend's own, only rows. */
const WINDOW_HEADER: KeyedStateHeader = { format: KEYED_STATE_FORMAT, states: {} };

export type { KeyRef } from './window-state.js';

/** The row of one key: the key group keyBy gave it (a restore cannot compute it for every keyBy) and its windows. */
export interface WindowRow {
  readonly keyGroup: number;
  readonly windows: readonly WindowData[];
}

/**
 * The non-keyed part of a window operator's checkpoint (the keyed part: the `<keyGroup>/windows`
 * tables, or the pane tables of pane-rows.ts).
 */
export interface WindowCheckpointState {
  readonly operator: 'window';
  readonly uid: string | null;
  readonly assigner: string;
  readonly watermark: number;
  readonly keyedState: KeyedStateHeader;
  /** True when the pane tables hold a process function's elements (`{ values, times }`), not accumulators. */
  readonly elements?: true;
}

/** A path's windows by key, and the keys that changed since the last export. */
export interface WindowRowSource<Id> {
  /** Every key with a window. */
  exportKeys(): KeyData[];
  /** One key's windows; undefined when it has none. */
  exportKey(id: Id): KeyData | undefined;
  /** The keys changed since the last call; undefined on the first call and the first after a restore. */
  takeChanged(): Map<Id, KeyRef> | undefined;
}

/** The key group a row is stored under: windowAll's one key (no key group, -1) in group 0. */
const tableGroup = (keyGroup: number): number => Math.max(keyGroup, 0);

interface Group {
  readonly keys: Key[];
  readonly values: WindowRow[];
  readonly deletes: Key[];
}

/**
 * Exports a window operator's rows, full or incremental, and remembers the key groups it listed:
 * an incremental export lists each of them again (an empty delta when nothing changed there).
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * const exporter = new WindowExporter();
 * const tables = exporter.export(panePath, true); // { '7/windows': { kind: 'delta', ... }, ... }
 * ```
 */
export class WindowExporter {
  #listed: Set<number> | null = null;

  /** Forgets what was exported: the next export is full (after a restore). */
  reset(): void {
    this.#listed = null;
  }

  export<Id>(source: WindowRowSource<Id>, incremental: boolean): Record<string, KeyedTableSnapshot> {
    const changed = source.takeChanged();
    const listed = this.#listed;
    const groups = new Map<number, Group>();
    const group = (keyGroup: number): Group => {
      let g = groups.get(keyGroup);
      if (g === undefined) {
        g = { keys: [], values: [], deletes: [] };
        groups.set(keyGroup, g);
      }
      return g;
    };
    const put = (k: KeyData): void => {
      const g = group(tableGroup(k.keyGroup));
      g.keys.push(tableKey(k.key));
      g.values.push({ keyGroup: k.keyGroup, windows: k.windows });
    };
    const delta = incremental && changed !== undefined && listed !== null;
    if (delta) {
      for (const [id, ref] of changed) {
        const k = source.exportKey(id);
        if (k !== undefined) put(k);
        else group(tableGroup(ref.keyGroup)).deletes.push(tableKey(ref.key));
      }
      for (const g of listed) group(g);
    } else {
      for (const k of source.exportKeys()) put(k);
    }
    this.#listed = new Set(groups.keys());
    const tables: Record<string, KeyedTableSnapshot> = {};
    for (const g of [...groups.keys()].sort((a, b) => a - b)) {
      const { keys, values, deletes } = groups.get(g)!;
      defineOwn(
        tables,
        keyGroupTable(g, WINDOW_ROWS),
        delta ? { kind: 'delta', keys, values, deletes } : { kind: 'full', keys, values },
      );
    }
    return tables;
  }
}

/**
 * The non-keyed part of a checkpoint of the window operator.
 *
 * @example
 * ```ts
 * // internal: { stateVersion: 0, state: windowCheckpointState(setup.uid, 'tumblingEventTimeWindows', 1999), keyed }
 * ```
 */
export function windowCheckpointState(
  uid: string | null,
  assigner: string,
  watermark: number,
  keyedState: KeyedStateHeader = WINDOW_HEADER,
  elements = false,
): WindowCheckpointState {
  const state: WindowCheckpointState = { operator: 'window', uid, assigner, watermark, keyedState };
  return elements ? { ...state, elements } : state;
}

/** What reads the general path's tables of the state layer (its `keysOf`, general-windows.ts). */
export interface LayeredReader {
  keysOf(data: KeyedStateExport, range: KeyGroupRange | undefined): KeyData[];
}

/** What a checkpoint restores: the state for `validateWindowState`, and the pane tables' columns. */
export interface RestoredWindowState {
  /** A `WindowOperatorState` (version 1) with the keys of the window rows; as stored when it is none. */
  readonly state: unknown;
  /** The pane tables (pane-rows.ts), in key-group order. */
  readonly panes: readonly PaneColumns[];
}

/**
 * The stored state of a window operator (this format, or v1 migrated) with the keys of the key
 * groups in `range` only (all without one): only those groups' tables are read. The result is
 * validated by the operator's restore (restore-validation.ts). An operator that is not `keyed`
 * (windowAll) restores its one key as undefined, with no key group. The general path's tables of
 * the state layer are read by the general path `generalPath` builds (`StateRestoreError` without it).
 *
 * @example
 * ```ts
 * // internal: const { state, panes } = restoredWindowState(stored, options.keyGroups, setup.uid, setup.keyed)
 * ```
 */
export function restoredWindowState(
  stored: OperatorStateSnapshot,
  range: KeyGroupRange | undefined,
  uid: string | null,
  keyed: boolean,
  generalPath?: () => LayeredReader | undefined,
): RestoredWindowState {
  const s = stored.state as Partial<WindowCheckpointState & WindowOperatorState> | null;
  if (!isObject(s)) return { state: s, panes: [] }; // (restoreState names what is wrong)
  if (s.operator !== 'window') {
    // Version 1 (snapshotState, stored whole): its keys are already the rows, with their key groups.
    if (!Array.isArray(s.keys)) return { state: s, panes: [] };
    return { state: { ...s, keys: v1KeysIn(s.keys, range) }, panes: [] };
  }
  const layered = layeredTables(stored);
  if (layered !== undefined) {
    // The general path's tables of the state layer (window-set-rows.ts): read by the general path.
    const general = generalPath?.();
    if (general === undefined) {
      throw new StateRestoreError(
        uid ?? undefined,
        'the state holds windows of the general window path, and this operator was built without it: restore it into an operator configured as the one that exported it',
      );
    }
    const keys = general.keysOf(layered, range);
    return { state: { version: 1, uid: s.uid, assigner: s.assigner, watermark: s.watermark, keys }, panes: [] };
  }
  const data = { header: s.keyedState as KeyedStateHeader, tables: stored.keyed ?? {} };
  const { keys, panes } = rowsOf(data, range, uid, s.elements === true);
  const restoredPanes = keyed ? panes : panes.map((p) => ({ ...p, keyGroup: -1, keys: p.keys.map(() => undefined) }));
  return {
    state: { version: 1, uid: s.uid, assigner: s.assigner, watermark: s.watermark, keys },
    panes: restoredPanes,
  };
}

/**
 * The keyed part of a checkpoint of the general path, whose tables are those of its keyed state
 * layer (window-set-rows.ts: its header lists states); undefined for any other stored state.
 *
 * @example
 * ```ts
 * // internal: const data = layeredTables(stored); if (data !== undefined) general.restoreTables(data, range, watermark)
 * ```
 */
export function layeredTables(stored: OperatorStateSnapshot): KeyedStateExport | undefined {
  const s = stored.state as Partial<WindowCheckpointState> | null;
  if (!isObject(s) || s.operator !== 'window') return undefined;
  const header = s.keyedState;
  if (!isObject(header) || !isObject(header.states) || Object.keys(header.states).length === 0) return undefined;
  return { header, tables: stored.keyed ?? {} };
}

/**
 * The keys of `WindowOperatorState` v1 in `range`, in key-group order (windowAll's -1 in group 0), as
 * the tables of this format give them. A key whose key group is not a number is kept for
 * `validateWindowState` to name (in group 0).
 */
function v1KeysIn(keys: readonly unknown[], range: KeyGroupRange | undefined): unknown[] {
  const groupOf = (k: unknown): number =>
    isObject(k) && typeof k['keyGroup'] === 'number' ? Math.max(k['keyGroup'], 0) : 0;
  return keys.filter((k) => inKeyGroupRange(groupOf(k), range)).sort((a, b) => groupOf(a) - groupOf(b));
}

/**
 * The keys of the window rows of `data` in `range`, and its pane tables there, in key-group order;
 * `elements`: the pane tables hold a process function's elements.
 */
function rowsOf(
  data: KeyedStateExport,
  range: KeyGroupRange | undefined,
  uid: string | null,
  elements: boolean,
): { keys: KeyData[]; panes: PaneColumns[] } {
  const keys: KeyData[] = [];
  const panes: PaneColumns[] = [];
  for (const table of keyGroupTables(data, range, uid ?? undefined)) {
    if (table.name !== WINDOW_ROWS) {
      const pane = paneWindowOf(table.name);
      if (pane === undefined) {
        throw new StateRestoreError(uid ?? undefined, `keyed table ${JSON.stringify(table.name)} of no window rows`);
      }
      // A pane that fired: rows [acc, count] (restore-validation.ts checks the counts).
      const rows = table.rows as unknown[];
      const pair = (row: unknown, i: number): unknown => (Array.isArray(row) ? row[i] : undefined);
      panes.push({
        window: pane.window,
        keyGroup: table.keyGroup,
        keys: table.keys,
        accs: pane.fired ? rows.map((row) => pair(row, 0)) : rows,
        counts: pane.fired ? rows.map((row) => pair(row, 1)) : [],
        elements,
      });
      continue;
    }
    table.keys.forEach((key, i) => {
      const row = table.rows[i] as Partial<WindowRow> | null;
      if (!isObject(row) || typeof row.keyGroup !== 'number') {
        throw new StateRestoreError(
          uid ?? undefined,
          `window row of key ${JSON.stringify(key)}: expected { keyGroup, windows }`,
        );
      }
      keys.push({
        key: row.keyGroup < 0 ? undefined : key,
        keyGroup: row.keyGroup,
        windows: row.windows as WindowData[],
      });
    });
  }
  return { keys, panes };
}
