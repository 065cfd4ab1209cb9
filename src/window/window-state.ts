/**
 * The windows of the general window path (general-path.ts): a key's entry, holding its live windows
 * (the index Flink derives from the assigner, or keeps in its MergingWindowSet for sessions). What a
 * window holds lives in the keyed state and timer layer under the window's namespace, as in Flink:
 * its contents and trigger state in the operator's KeyedStateBackend (window-contents.ts,
 * trigger-context.ts), its timers in the timer service (window-timers.ts).
 */
import type { Key, KeyPart } from '../core/keys.js';
import type { Namespace } from '../state/state-types.js';
import type { TimeWindow } from './windows.js';

/**
 * The key id under which an all-in-one (`windowAll`) operator keeps its single key's windows and
 * timers: "\0" then a name, which no `keyId` gives (escaped strings start "\0\0", tuples "\0tuple").
 */
export const UNKEYED: KeyPart = '\u0000windowAll';
/** A key's id in the operator's tables. */
export type Id = KeyPart;

/** A key whose windows changed, as a checkpoint's delta needs it: its key and key group. */
export interface KeyRef {
  readonly key: unknown;
  readonly keyGroup: number;
}

/**
 * A key as checkpoint tables store it: windowAll's one key (undefined, no key group) as 0, a
 * valid key (in key group 0).
 *
 * @example
 * ```ts
 * // internal: tableKey(undefined); // 0
 * ```
 */
export function tableKey(key: unknown): Key {
  return (key === undefined ? 0 : key) as Key;
}

/**
 * How a key's windows are held: by start (sliding windows with many per key), sorted list
 * (sessions), or slots (tumbling, global, and sliding windows with few per key).
 */
export type Layout = 0 | 1 | 2;
/**
 * The most windows per key (size / slide of sliding windows) held in slots, scanned by start:
 * beyond, a map by start. A map per key is ~20 times the memory of a small array, and at a million
 * keys its garbage collection dominated a checkpoint of sliding windows (issue 16).
 */
export const SLOTS_MAX = 8;
export const SLOTS: Layout = 0;
export const BY_START: Layout = 1;
export const SORTED: Layout = 2;

/** A key's windows. */
export class KeyEntry {
  /** Windows by start: sliding windows, where a key has many live windows (more than `SLOTS_MAX`). */
  readonly byStart: Map<number, WindowState> | null;
  /** Sessions, sorted by start. */
  readonly list: WindowState[] | null;
  /**
   * Slots (tumbling, global, few sliding windows): the first two inline (a sliding window of twice
   * its slide has two per key: no array and its store per key), others in a small array.
   */
  w0: WindowState | null = null;
  w1: WindowState | null = null;
  more: WindowState[] | null = null;
  last: WindowState | null = null;
  /** Whether the entry is in the operator's key table. */
  live = true;
  constructor(
    readonly id: Id,
    readonly key: unknown,
    readonly keyGroup: number,
    layout: Layout,
  ) {
    this.byStart = layout === BY_START ? new Map() : null;
    this.list = layout === SORTED ? [] : null;
  }
  get size(): number {
    if (this.byStart !== null) return this.byStart.size;
    if (this.list !== null) return this.list.length;
    return (this.w0 === null ? 0 : 1) + (this.w1 === null ? 0 : 1) + (this.more === null ? 0 : this.more.length);
  }
  /** The non-merging window starting at `start`, or null. */
  find(start: number): WindowState | null {
    if (this.byStart !== null) return this.byStart.get(start) ?? null;
    const w0 = this.w0;
    if (w0 !== null && w0.start === start) return w0;
    const w1 = this.w1;
    if (w1 !== null && w1.start === start) return w1;
    const more = this.more;
    if (more !== null) for (let i = 0; i < more.length; i++) if (more[i]!.start === start) return more[i]!;
    return null;
  }
  /** Adds a window (sessions: at the end; callers keep the list sorted). */
  add(ws: WindowState): void {
    if (this.byStart !== null) this.byStart.set(ws.start, ws);
    else if (this.list !== null) this.list.push(ws);
    else if (this.w0 === null) this.w0 = ws;
    else if (this.w1 === null) this.w1 = ws;
    else if (this.more === null) this.more = [ws];
    else this.more.push(ws);
  }
  remove(ws: WindowState): void {
    if (this.byStart !== null) {
      this.byStart.delete(ws.start);
    } else if (this.list !== null) {
      const i = this.list.indexOf(ws);
      if (i >= 0) this.list.splice(i, 1); // sessions stay sorted
    } else if (this.w0 === ws) {
      this.w0 = this.w1;
      this.w1 = this.#lastOfMore();
    } else if (this.w1 === ws) {
      this.w1 = this.#lastOfMore();
    } else if (this.more !== null) {
      const i = this.more.indexOf(ws);
      if (i >= 0) {
        this.more[i] = this.more[this.more.length - 1]!;
        this.more.pop();
      }
    }
  }
  /** The last window of `more`, taken out of it (null when it is empty). */
  #lastOfMore(): WindowState | null {
    const more = this.more;
    return more !== null && more.length > 0 ? more.pop()! : null;
  }
  windows(): WindowState[] {
    if (this.byStart !== null) return [...this.byStart.values()];
    if (this.list !== null) return this.list.slice();
    const out = this.w0 === null ? [] : [this.w0];
    if (this.w1 !== null) out.push(this.w1);
    if (this.more !== null) out.push(...this.more);
    return out;
  }
}

/**
 * One window of a key: its bounds; its contents and trigger state are keyed state in its namespace.
 * The bounds are fields: the `TimeWindow` object that triggers, evictors and results see is made
 * when first asked for (or shared, as tumbling and global windows are). An object per window of a
 * million keys, alive until it fires, was traced by every garbage collection (issue 16).
 */
export class WindowState {
  alive = true;
  /** How many panes the window has fired since it was created or last purged: the next pane's index (pane-info.ts). */
  panes = 0;
  /** The window's namespace in the timer service: see `windowNamespace`. */
  readonly ns: Namespace;
  #window: TimeWindow | null;
  constructor(
    readonly entry: KeyEntry,
    readonly start: number,
    readonly end: number,
    readonly cleanup: number,
    window: TimeWindow | null = null,
  ) {
    this.#window = window;
    this.ns = windowNamespace(start, end, entry.list !== null);
  }
  /** The window's largest timestamp: its end - 1. */
  get maxTs(): number {
    return this.end - 1;
  }
  /** The window as triggers and results see it. */
  get window(): TimeWindow {
    this.#window ??= { start: this.start, end: this.end };
    return this.#window;
  }
}

/**
 * The namespace of a window in the keyed state and timer layer (Flink's namespace is the window
 * itself). The windows of one key of a non-merging assigner differ by start, so the start is enough;
 * a merged session may keep the start of a session it replaced, whose timers are deleted only after
 * the merged one's are registered (Flink's order: onMerge, then clear), so sessions use both bounds.
 *
 * @example
 * ```ts
 * // internal: windowNamespace(0, 1000, false); // 0
 * // internal: windowNamespace(0, 1000, true); // '0:1000'
 * ```
 */
export function windowNamespace(start: number, end: number, merging: boolean): Namespace {
  return merging ? `${start}:${end}` : start;
}
