/**
 * The state of the general window path (general-path.ts): a key's entry, holding its windows, and
 * each window's contents, trigger state and timer times. Flink keeps these in its keyed state
 * backend with the window as namespace; here a window's state is one object, reached by key, then
 * by window start.
 */
import type { KeyPart } from '../core/keys.js';
import type { TimeWindow } from './windows.js';

/** Where an all-in-one (`windowAll`) operator keeps its single key's windows. */
export const UNKEYED: unique symbol = Symbol('unkeyed');
/** A key's id in the operator's tables. */
export type Id = KeyPart | typeof UNKEYED;

/** How a key's windows are held: by start (sliding), sorted list (sessions), or slots (tumbling, global). */
export type Layout = 0 | 1 | 2;
export const SLOTS: Layout = 0;
export const BY_START: Layout = 1;
export const SORTED: Layout = 2;

/** A key's windows. */
export class KeyEntry {
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
    this.byStart = layout === BY_START ? new Map() : null;
    this.list = layout === SORTED ? [] : null;
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

/** One window of a key: its contents, trigger state and registered timers. */
export class WindowState {
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
  /** How many panes the window has fired since it was created or last purged: the next pane's index (pane-info.ts). */
  panes = 0;
  readonly maxTs: number;
  constructor(readonly entry: KeyEntry, readonly window: TimeWindow, readonly cleanup: number) {
    this.maxTs = window.end - 1;
  }
}

/** Adds a timer time to the window's set; false if it was already there. */
export function addTime(ws: WindowState, time: number, eventTime: boolean): boolean {
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
export function removeTime(ws: WindowState, time: number, eventTime: boolean): boolean {
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

/** Whether the window holds any timer. */
export function hasTimers(ws: WindowState): boolean {
  return !Number.isNaN(ws.et0) || !Number.isNaN(ws.pt0) || (ws.et !== null && ws.et.length > 0) || (ws.pt !== null && ws.pt.length > 0);
}

/** The window's timer times of one domain, in registration order. */
export function timesOf(ws: WindowState, eventTime: boolean): number[] {
  const first = eventTime ? ws.et0 : ws.pt0;
  const more = eventTime ? ws.et : ws.pt;
  const out = Number.isNaN(first) ? [] : [first];
  if (more !== null) out.push(...more);
  return out;
}
