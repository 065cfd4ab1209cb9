/**
 * The pane table's checkpoint (pane-path.ts) as columnar keyed tables: one table per pane and key
 * group, `<keyGroup>/pane:<start>:<end>`, whose row of a key is its exported accumulator in that
 * pane (a process function's elements `{ values, times }`, flagged in the header: `elements`). A
 * pane that has not fired holds nothing else a checkpoint needs: its window is in the table's name,
 * its timers are its end's and its cleanup's. So a table of numeric accumulators is a column of
 * numbers, which the codec stores as binary (checkpoint/columns.ts): a checkpoint of a million
 * keys costs what keyedProcess's counts cost, and a restore of a range of key groups leaves the
 * other groups' tables out before decoding them (docs/checkpoints.md §10). A pane that fired (early,
 * or on time and kept for late records) is a table `<keyGroup>/fired:<start>:<end>` of rows
 * `[acc, count]`, the count being how many panes the key's window fired; a restore places it in
 * the late panes once the watermark passed its end. So the pane path never writes window rows.
 *
 * Incremental: a pane exported before gets a delta of the keys changed since (a live pane never
 * loses a key: it fires whole; a firing changes every key's count); a new pane, and a pane that
 * fired for the first time, are exported in full; a pane dropped (fired without lateness, or at its
 * cleanup time) and a pane's `pane:` table once it fired are left out, which makes them empty
 * tables from then on (`applyDeltas`).
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
/** The prefix of the tables of a pane that fired (early, or on time with lateness): `fired:<start>:<end>`. */
const FIRED_ROWS = 'fired:';

/** The name of the pane table of `window` (after its key group); `fired`: the table of a pane that fired. */
export function paneTableName(window: TimeWindow, fired = false): string {
  return `${fired ? FIRED_ROWS : PANE_ROWS}${window.start}:${window.end}`;
}

/**
 * The window of a table named by `paneTableName`, and whether its rows carry firing counts; undefined
 * for rows of another name.
 */
export function paneWindowOf(name: string): { window: TimeWindow; fired: boolean } | undefined {
  const m = /^(pane|fired):(-?\d+):(-?\d+)$/.exec(name);
  if (m === null) return undefined;
  const start = Number(m[2]);
  const end = Number(m[3]);
  return Number.isSafeInteger(start) && Number.isSafeInteger(end) && end > start
    ? { window: { start, end }, fired: m[1] === 'fired' }
    : undefined;
}

/**
 * One pane (live, or fired and kept for late records) as its checkpoint reads it: slot `i` holds a
 * key, its key group, its accumulator and how many times its window fired.
 */
export interface PaneSlots {
  readonly window: TimeWindow;
  readonly length: number;
  /** Whether a slot of the pane fired: its table is then `fired:`, each row `[acc, count]`. */
  readonly fired: boolean;
  /** The slots written since the last export (added or updated); undefined when not recorded (the export is full). */
  readonly changed: readonly number[] | undefined;
  /** The key of a slot, as plain data. */
  key(slot: number): unknown;
  /** The key group of a slot (-1 for windowAll's one key). */
  keyGroup(slot: number): number;
  /** The accumulator of a slot, exported (`exportAccumulator`), or a process function's elements. */
  acc(slot: number): unknown;
  /** How many times the window of a slot fired (0: not yet). */
  count(slot: number): number;
}

/** The pane path as the exporter reads it (pane-state.ts `paneRows`). */
export interface PaneRowSource {
  /** The panes, each with the slots written since the last call. */
  exportPanes(): PaneSlots[];
}

/** One restored pane table: the keys of one key group in one pane, and their exported accumulators. */
export interface PaneColumns {
  readonly window: TimeWindow;
  /** The key group of the table's keys (-1 for windowAll's one key). */
  readonly keyGroup: number;
  readonly keys: readonly unknown[];
  /** Exported accumulators, or a process function's elements (`{ values, times }`) when `elements`. */
  readonly accs: readonly unknown[];
  /** How many times each key's window fired; empty for a table of a pane that never fired. */
  readonly counts: readonly unknown[];
  /** Whether `accs` are the elements of a process function (the header's `elements`). */
  readonly elements: boolean;
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
      // A pane that fired is a table of [acc, count] rows, written in full when it first fires; its
      // `pane:` table, left out from then on, is empty (`applyDeltas`).
      const fired = pane.fired;
      const name = paneTableName(pane.window, fired);
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
        g.values.push(fired ? [pane.acc(slot), pane.count(slot)] : pane.acc(slot));
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
 * its windows in the order of the tables, and the timers the pane path held for them (its end's
 * before the watermark passed it, its cleanup time's with lateness: `cleanupTime`).
 *
 * @example
 * ```ts
 * // internal: paneKeys([{ window: { start: 0, end: 100 }, keyGroup: 7, keys: ['a'], accs: [3], counts: [], elements: false }], (t) => t, 50)
 * // gives [{ key: 'a', keyGroup: 7, windows: [{ start: 0, end: 100, has: true, acc: 3, ..., eventTimers: [99] }] }]
 * ```
 */
export function paneKeys(
  panes: readonly PaneColumns[],
  cleanupTime: (maxTs: number) => number,
  watermark: number,
): KeyData[] {
  const byId = new Map<unknown, { key: unknown; keyGroup: number; windows: KeyData['windows'][number][] }>();
  for (const { window, keyGroup, keys, accs, counts, elements } of panes) {
    const maxTs = window.end - 1;
    const cleanup = cleanupTime(maxTs);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const id = keyGroup < 0 ? undefined : keyId(key as Key);
      let k = byId.get(id);
      if (k === undefined) {
        k = { key, keyGroup, windows: [] };
        byId.set(id, k);
      }
      const fired = (counts[i] as number | undefined) ?? 0;
      // (A window the watermark passed fired on time; one that never fired keeps its end's timer.)
      const eventTimers = cleanup === Infinity || cleanup === maxTs ? [] : [cleanup];
      if (maxTs > watermark || fired === 0) eventTimers.push(maxTs);
      const e = elements ? (accs[i] as { values: unknown[]; times: number[] }) : null;
      k.windows.push({
        start: window.start,
        end: window.end,
        has: true,
        acc: e === null ? accs[i] : null,
        values: e === null ? null : e.values,
        times: e === null ? null : e.times,
        trigger: null,
        eventTimers,
        processingTimers: [],
        ...(fired > 0 ? { panes: fired } : {}),
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
    for (let i = exported; i < pane.length; i++) changed.push(i);
  }
  pane.exported = pane.length;
  pane.dirty = new Uint8Array(pane.exported);
  return changed;
}

/**
 * Whether restored pane tables fit a pane table of `size` and `offset`: aligned windows of that
 * size whose cleanup time the watermark has not reached (a pane it passed waits for late records).
 *
 * @example
 * ```ts
 * // internal: panesFit([{ window: { start: 0, end: 100 }, ... }], 100, 0, (t) => t, 50) // true
 * ```
 */
export function panesFit(
  panes: readonly PaneColumns[],
  size: number,
  offset: number,
  cleanupTime: (maxTs: number) => number,
  watermark: number,
): boolean {
  return panes.every(
    ({ window: w }) =>
      w.end - w.start === size && windowStart(w.start, offset, size) === w.start && cleanupTime(w.end - 1) > watermark,
  );
}
