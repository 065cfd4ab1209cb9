/**
 * The pane table's checkpoint (pane-path.ts) as columnar keyed tables: one table per pane and key
 * group, `<keyGroup>/pane:<start>:<end>`, whose row of a key is its exported accumulator in that
 * pane. A pane holds nothing else a checkpoint needs: its window is in the table's name, its one
 * timer is at `end - 1`, it has fired no pane yet. So a table of numeric accumulators is a column
 * of numbers, which the codec stores as binary (checkpoint/columns.ts): a checkpoint of a million
 * keys costs what keyedProcess's counts cost, and a restore of a range of key groups leaves the
 * other groups' tables out before decoding them (docs/checkpoints.md §10).
 *
 * Incremental: a pane exported before gets a delta of the keys changed since (a live pane never
 * loses a key: it fires whole); a new pane is exported in full; a fired pane is left out, which is
 * an empty table from then on (`applyDeltas`).
 */
import { keyId, type Key } from '../core/keys.js';
import { defineOwn } from '../core/plain-data.js';
import { keyGroupTable, type KeyedTableSnapshot } from '../core/state-snapshot.js';
import type { KeyData } from './types.js';
import { tableKey } from './window-state.js';
import type { Pane } from './panes.js';
import { windowStart, type TimeWindow } from './windows.js';

/** The prefix of the pane tables' names: `pane:<start>:<end>`. */
const PANE_ROWS = 'pane:';

/** The name of the pane table of `window` (after its key group). */
export function paneTableName(window: TimeWindow): string {
  return `${PANE_ROWS}${window.start}:${window.end}`;
}

/** The window of a pane table named by `paneTableName`, or undefined for rows of another name. */
export function paneWindowOf(name: string): TimeWindow | undefined {
  const m = /^pane:(-?\d+):(-?\d+)$/.exec(name);
  if (m === null) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  return Number.isSafeInteger(start) && Number.isSafeInteger(end) && end > start ? { start, end } : undefined;
}

/** One live pane as its checkpoint reads it: slot `i` holds a key, its key group and its accumulator. */
export interface PaneSlots {
  readonly window: TimeWindow;
  readonly length: number;
  /** The slots written since the last export (added or updated); undefined when not recorded (the export is full). */
  readonly changed: readonly number[] | undefined;
  /** The key of a slot, as plain data. */
  key(slot: number): unknown;
  /** The key group of a slot (-1 for windowAll's one key). */
  keyGroup(slot: number): number;
  /** The accumulator of a slot, exported (`exportAccumulator`). */
  acc(slot: number): unknown;
}

/** The pane path as the exporter reads it (`PanePath.exportPanes`). */
export interface PaneRowSource {
  /** The live panes, each with the slots written since the last call. */
  exportPanes(): PaneSlots[];
}

/** One restored pane table: the keys of one key group in one pane, and their exported accumulators. */
export interface PaneColumns {
  readonly window: TimeWindow;
  /** The key group of the table's keys (-1 for windowAll's one key). */
  readonly keyGroup: number;
  readonly keys: readonly unknown[];
  readonly accs: readonly unknown[];
}

interface Columns {
  readonly keys: Key[];
  readonly values: unknown[];
}

/**
 * Exports the pane tables, full or incremental, and remembers the tables it listed.
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * const exporter = new PaneExporter();
 * const tables = exporter.export(panePath, true); // { '7/pane:0:1000': { kind: 'delta', ... }, ... }
 * ```
 */
export class PaneExporter {
  /** The key groups listed in the last export, by pane table name; null before the first. */
  #listed: Map<string, Set<number>> | null = null;

  /** Forgets what was exported: the next export is full (after a restore). */
  reset(): void {
    this.#listed = null;
  }

  export(source: PaneRowSource, incremental: boolean): Record<string, KeyedTableSnapshot> {
    const listedBefore = incremental ? this.#listed : null;
    const listed = new Map<string, Set<number>>();
    const out: [number, string, KeyedTableSnapshot][] = [];
    for (const pane of source.exportPanes()) {
      const name = paneTableName(pane.window);
      const changed = pane.changed;
      const before = changed === undefined ? undefined : listedBefore?.get(name);
      const groups = new Map<number, Columns>();
      const put = (slot: number): void => {
        const group = Math.max(pane.keyGroup(slot), 0); // windowAll's one key in group 0
        let g = groups.get(group);
        if (g === undefined) {
          g = { keys: [], values: [] };
          groups.set(group, g);
        }
        g.keys.push(tableKey(pane.key(slot)));
        g.values.push(pane.acc(slot));
      };
      if (before === undefined) {
        for (let slot = 0; slot < pane.length; slot++) put(slot);
      } else {
        for (const slot of changed!) put(slot);
        for (const group of before) if (!groups.has(group)) groups.set(group, { keys: [], values: [] });
      }
      const kind = before === undefined ? 'full' : 'delta';
      for (const [group, g] of groups)
        out.push([group, name, kind === 'full' ? { kind, ...g } : { kind, ...g, deletes: [] }]);
      listed.set(name, new Set(groups.keys()));
    }
    this.#listed = listed;
    out.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const tables: Record<string, KeyedTableSnapshot> = {};
    for (const [group, name, table] of out) defineOwn(tables, keyGroupTable(group, name), table);
    return tables;
  }
}

/**
 * Restored pane tables as the keys of `WindowOperatorState`, for the general path or a pane table
 * that cannot hold them as they are (restore-validation.ts checks them there): each key once, with
 * its windows in the order of the tables.
 *
 * @example
 * ```ts
 * // internal: paneKeys([{ window: { start: 0, end: 100 }, keyGroup: 7, keys: ['a'], accs: [3] }])
 * // gives [{ key: 'a', keyGroup: 7, windows: [{ start: 0, end: 100, has: true, acc: 3, ..., eventTimers: [99] }] }]
 * ```
 */
export function paneKeys(panes: readonly PaneColumns[]): KeyData[] {
  const byId = new Map<unknown, { key: unknown; keyGroup: number; windows: KeyData['windows'][number][] }>();
  for (const { window, keyGroup, keys, accs } of panes) {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const id = keyGroup < 0 ? undefined : keyId(key as Key);
      let k = byId.get(id);
      if (k === undefined) {
        k = { key, keyGroup, windows: [] };
        byId.set(id, k);
      }
      k.windows.push({
        start: window.start,
        end: window.end,
        has: true,
        acc: accs[i],
        values: null,
        times: null,
        trigger: null,
        eventTimers: [window.end - 1],
        processingTimers: [],
      });
    }
  }
  return [...byId.values()];
}

/**
 * The slots of `pane` written since its last export (updated: `dirty`; or added since), or undefined
 * when not `tracking` (the export is full); then marks the pane exported.
 *
 * @example
 * ```ts
 * // internal: takeWrittenSlots(pane, true) // [2, 5]: slot 2 updated, slot 5 added since the last export
 * ```
 */
export function takeWrittenSlots(pane: Pane<unknown>, tracking: boolean): number[] | undefined {
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
  return changed;
}

/**
 * Whether restored pane tables fit a pane table of `size` and `offset`: aligned windows of that
 * size that the watermark has not passed.
 *
 * @example
 * ```ts
 * // internal: panesFit([{ window: { start: 0, end: 100 }, ... }], 100, 0, 50) // true
 * ```
 */
export function panesFit(panes: readonly PaneColumns[], size: number, offset: number, watermark: number): boolean {
  return panes.every(
    ({ window: w }) =>
      w.end - w.start === size && windowStart(w.start, offset, size) === w.start && w.end - 1 > watermark,
  );
}
