/**
 * The window operator's general path: every configuration the pane table (pane-path.ts) does not
 * hold. Windows per key (window-state.ts), timers in the timer service of the keyed state layer with
 * the window as namespace (window-timers.ts), the trigger called
 * through a reused context (trigger-context.ts), sessions merged by a MergingWindowSet, and firing
 * in window-emit.ts.
 *
 * Where Flink leaves an order undefined, this path fixes one: timers of the same time fire in
 * registration order (Flink: heap order), and merged sessions combine contents in start order.
 * After a restore, registration order is the order of the keys in the restored state.
 */
import type { StreamRecord } from '../core/elements.js';
import { NotKeyedError } from '../core/errors.js';
import { checkKey, keyId } from '../core/keys.js';
import type { Output } from '../core/operator.js';
import type { KeyedStateBackend } from '../state/backend.js';
import type { InternalTimer } from '../state/timers.js';
import { FUSED_KEY_GROUP, type WindowSetup } from './config.js';
import type { MergingWindowSet } from './merging-window-set.js';
import { TriggerContext } from './trigger-context.js';
import { contentsSerializer, type WindowContents } from './window-contents.js';
import { windowBackend } from './window-set-rows.js';
import type { TriggerResult } from './triggers.js';
import type { WindowResult } from './types.js';
import { emitWindow } from './window-emit.js';
import {
  BY_START,
  KeyEntry,
  SLOTS,
  SLOTS_MAX,
  SORTED,
  UNKEYED,
  WindowState,
  type Id,
  type Layout,
} from './window-state.js';
import { WindowTimers } from './window-timers.js';
import { RecentTumblingWindows } from './recent-windows.js';
import { GLOBAL_WINDOW, windowEnd, windowStart, type TimeWindow } from './windows.js';

const CONTINUE: TriggerResult = 'CONTINUE';

/** Windows per key and timers per window, with Flink's WindowOperator semantics. */
export class GeneralPath<T, K, R> {
  readonly #setup: WindowSetup<T, K, R>;
  readonly #layout: Layout;
  readonly #merging: MergingWindowSet<T> | null;
  /** One lookup per record: key id to the key's windows. */
  readonly keys = new Map<Id, KeyEntry>();
  readonly timers: WindowTimers;
  /** Keyed state with the window as namespace: the triggers' state (trigger-context.ts) and the contents. */
  readonly state: KeyedStateBackend;
  readonly contents: WindowContents;
  readonly ctx: TriggerContext;
  readonly #tumbling = new RecentTumblingWindows();
  /** Keys whose windows changed since the last checkpoint (window-rows.ts); null until the first. */
  changed: Map<Id, KeyEntry> | null = null;

  constructor(setup: WindowSetup<T, K, R>) {
    this.#setup = setup;
    const assigner = setup.assigner;
    this.#layout =
      assigner.kind === 'session'
        ? SORTED
        : assigner.kind === 'fixed' && Math.ceil(assigner.size / assigner.slide) > SLOTS_MAX
          ? BY_START
          : SLOTS;
    const runtime = setup.runtime;
    this.timers = new WindowTimers(runtime, {
      onEventTime: (timer, out) => this.#onEventTime(timer, out as Output<WindowResult<K, R>, K>),
      onProcessingTime: (timer, out) => this.#onProcessingTime(timer, out as Output<WindowResult<K, R>, K>),
    });
    this.state = windowBackend(this, setup, this.timers.service);
    this.ctx = new TriggerContext(this.timers, this.state, contentsSerializer(setup.incremental));
    this.contents = this.ctx.contents;
    this.ctx.currentWatermark = setup.watermark;
    // The merging assigner hands over its merging code (assigners.ts), so only pipelines with sessions bundle it.
    this.#merging =
      assigner.kind === 'session' ? new assigner.merging(setup, this.ctx, this.timers, this.contents) : null;
  }

  /** A record (keyed here if the operator is fused with its keyBy): into each of its windows. */
  processRecord(record: StreamRecord<T, K>, out: Output<WindowResult<K, R>, K>): void {
    const setup = this.#setup;
    const value = record.value;
    let entry: KeyEntry | undefined;
    const selectKey = setup.selectKey;
    if (selectKey !== null) {
      // Fused with the keyBy in front: key the record here, exactly as KeyByOperator would. The key
      // group is only computed for a key that has no entry yet.
      const key = checkKey(selectKey(value), value);
      const id = keyId(key);
      entry = this.keys.get(id);
      if (entry === undefined) entry = this.addEntry(id, key, setup.groupOf(key, FUSED_KEY_GROUP));
    } else if (setup.keyed) {
      if (record.keyGroup < 0) throw new NotKeyedError('window()');
      const id = keyId(record.key as never);
      entry = this.keys.get(id);
      if (entry === undefined) entry = this.addEntry(id, record.key, record.keyGroup);
    } else {
      entry = this.keys.get(UNKEYED);
      if (entry === undefined) entry = this.addEntry(UNKEYED, undefined, -1);
    }
    const id = entry.id;
    this.changed?.set(id, entry);
    const timestamp = record.timestamp;
    let skipped = true;
    if (setup.size !== 0) {
      const time = setup.eventTime ? timestamp : setup.runtime.processingTime.now();
      const size = setup.size;
      const slide = setup.slide;
      if (size === slide) {
        const recent = this.#tumbling;
        recent.lookUp(time, setup.offset, size, setup.global);
        if (this.#addFixed(entry, recent.start, size, value, timestamp, out, recent.window)) skipped = false;
      } else {
        // Sliding: every window [s, s + size) with s aligned to the slide and s > time - size, latest first.
        for (let s = windowStart(time, setup.offset, slide); s > time - size; s -= slide) {
          if (this.#addFixed(entry, s, size, value, timestamp, out)) skipped = false;
        }
      }
    } else if (setup.global) {
      if (this.#addFixed(entry, GLOBAL_WINDOW.start, GLOBAL_WINDOW.end - GLOBAL_WINDOW.start, value, timestamp, out))
        skipped = false;
    } else {
      if (this.#addMerging(entry, value, timestamp, out)) skipped = false;
    }
    if (entry.size === 0) {
      entry.live = false;
      this.keys.delete(id);
    }
    // Flink: an element skipped by all its windows and behind watermark - lateness is late data.
    if (skipped && setup.eventTime && timestamp + setup.lateness <= setup.watermark)
      setup.late(record, record.value, timestamp, entry.key, entry.keyGroup);
  }

  /** A new key's entry, in the key table. */
  addEntry(id: Id, key: unknown, keyGroup: number): KeyEntry {
    const entry = new KeyEntry(id, key, keyGroup, this.#layout);
    this.keys.set(id, entry);
    return entry;
  }

  get windowCount(): number {
    let n = 0;
    for (const entry of this.keys.values()) n += entry.size;
    return n;
  }

  get keyCount(): number {
    let n = 0;
    for (const entry of this.keys.values()) if (entry.size > 0) n++;
    return n;
  }

  #addFixed(
    entry: KeyEntry,
    start: number,
    size: number,
    value: T,
    timestamp: number,
    out: Output<WindowResult<K, R>, K>,
    shared: TimeWindow | null = null,
  ): boolean {
    const setup = this.#setup;
    let ws = entry.last;
    if (ws === null || ws.start !== start) {
      ws = entry.find(start);
      if (ws === null) {
        const cleanup = setup.cleanupTime(windowEnd(start, size) - 1);
        // Flink's isWindowLate: the window was already cleaned up (or would be at once): skip it.
        if (setup.eventTime && cleanup <= setup.watermark) return false;
        if (setup.global) ws = new WindowState(entry, start, GLOBAL_WINDOW.end, cleanup, GLOBAL_WINDOW);
        else
          ws = new WindowState(entry, start, windowEnd(start, size), cleanup, shared?.start === start ? shared : null);
        entry.add(ws);
        this.#registerCleanup(ws);
        // EventTimeTrigger.onElement registers end - 1 while the watermark is before it; the
        // registration of later elements is a duplicate, so the fast path does it once here.
        if (setup.fastTrigger && ws.maxTs > setup.watermark) this.timers.register(ws, ws.maxTs, true);
      }
      entry.last = ws;
    }
    this.#addElement(ws, value, timestamp);
    if (setup.fastTrigger) {
      if (ws.maxTs <= setup.watermark) emitWindow(setup, this.ctx, ws, out, setup.watermark, false, false); // late but within lateness: FIRE at once
      return true;
    }
    const ctx = this.ctx;
    ctx.ws = ws;
    const result = setup.trigger.onElement(value, timestamp, ws.window, ctx);
    if (result !== CONTINUE) this.#apply(ws, result, out, this.#now(), false);
    return true;
  }

  #addMerging(entry: KeyEntry, value: T, timestamp: number, out: Output<WindowResult<K, R>, K>): boolean {
    const ws = this.#merging!.place(entry, value, timestamp);
    if (ws === null) return false;
    if (entry.last !== ws) entry.last = ws;
    this.#addElement(ws, value, timestamp);
    const ctx = this.ctx;
    ctx.ws = ws;
    const result = this.#setup.trigger.onElement(value, timestamp, ws.window, ctx);
    if (result !== CONTINUE) this.#apply(ws, result, out, this.#now(), false);
    if (ws.alive) this.#registerCleanup(ws);
    return true;
  }

  #addElement(ws: WindowState, value: T, timestamp: number): void {
    const inc = this.#setup.incremental;
    const contents = this.contents;
    if (inc !== null) {
      const acc = contents.acc(ws);
      contents.setAcc(ws, acc === undefined ? inc.first(value) : inc.add(acc, value));
      return;
    }
    contents.addElement(ws, value, timestamp);
  }

  // ---- trigger results, firing, cleanup ----

  /** The time of the window's domain now: the watermark for event-time windows, else processing time. */
  #now(): number {
    const setup = this.#setup;
    return setup.eventTime ? setup.watermark : setup.runtime.processingTime.now();
  }

  /** A trigger's result; `time` and `byTimer` describe the firing's pane (see emitWindow). */
  #apply(
    ws: WindowState,
    result: TriggerResult,
    out: Output<WindowResult<K, R>, K>,
    time: number,
    byTimer: boolean,
  ): void {
    if (result === 'FIRE' || result === 'FIRE_AND_PURGE')
      emitWindow(this.#setup, this.ctx, ws, out, time, byTimer, result === 'FIRE_AND_PURGE');
    if (result === 'PURGE' || result === 'FIRE_AND_PURGE') {
      ws.panes = 0; // (a purge ends the window's panes: its next firing is a first one again)
      this.contents.clear(ws);
      this.#dropIfEmpty(ws);
    }
  }

  /** A non-merging window with no contents, trigger state or timers is the same as no window. */
  #dropIfEmpty(ws: WindowState): void {
    if (this.#merging !== null || !ws.alive) return;
    if (this.ctx.hasState(ws) || this.timers.hasTimers(ws)) return;
    this.#retire(ws);
  }

  #retire(ws: WindowState): void {
    ws.alive = false;
    const entry = ws.entry;
    entry.remove(ws);
    if (entry.last === ws) entry.last = null;
    // A key without windows has no state: drop its entry at once (keeping empty entries around
    // for sparse keys measured slower: more old-generation objects for the GC to trace).
    if (entry.size === 0 && entry.live) {
      entry.live = false;
      this.keys.delete(entry.id);
    }
  }

  /** Flink's clearAllState: contents, trigger state and timers, then the window itself. */
  #clearAll(ws: WindowState): void {
    this.contents.clear(ws);
    if (!this.#setup.fastTrigger) {
      // (EventTimeTrigger.clear only deletes a timer; a retired window's timers are skipped anyway.)
      const ctx = this.ctx;
      ctx.ws = ws;
      this.#setup.trigger.clear(ws.window, ctx);
    }
    this.ctx.clearAllState(ws);
    this.#retire(ws);
  }

  // ---- timers ----

  /** Registers the window's cleanup timer (none for a window that lives until the end of time). */
  #registerCleanup(ws: WindowState): void {
    if (ws.cleanup === Infinity) return;
    this.timers.register(ws, ws.cleanup, this.#setup.eventTime);
  }

  /** Fires the event-time timers due at `watermark` (already the setup's watermark). */
  advanceEventTime(watermark: number, out: Output<WindowResult<K, R>, K>): void {
    this.ctx.currentWatermark = watermark;
    // Timers registered while firing (e.g. a continuous trigger's next firing) at or below the
    // watermark fire in the same pass (InternalTimerService.advanceWatermark).
    this.timers.service.advanceWatermark(watermark, out as Output<unknown, unknown>);
  }

  /** The live window a timer of the timer service belongs to, or null (its window was retired). */
  #windowOf(timer: InternalTimer): WindowState | null {
    const entry = this.keys.get(timer.keyId);
    if (entry === undefined) return null;
    this.changed?.set(entry.id, entry);
    const ns = timer.namespace;
    if (entry.list === null) return entry.find(ns as number);
    for (const ws of entry.list) if (ws.ns === ns) return ws;
    return null;
  }

  #onEventTime(timer: InternalTimer, out: Output<WindowResult<K, R>, K>): void {
    const ws = this.#windowOf(timer);
    if (ws === null) return;
    const setup = this.#setup;
    const time = timer.time;
    if (setup.fastTrigger) {
      if (time === ws.maxTs) emitWindow(setup, this.ctx, ws, out, time, true, false); // EventTimeTrigger.onEventTime: FIRE at end - 1
      if (setup.eventTime && time === ws.cleanup) this.#clearAll(ws);
      return;
    }
    const ctx = this.ctx;
    ctx.ws = ws;
    const result = setup.trigger.onEventTime(time, ws.window, ctx);
    if (result !== CONTINUE) {
      // (The global window's end is the end of event time: its firing there is on time, as Beam's.)
      if (setup.eventTime || setup.global) this.#apply(ws, result, out, time, true);
      else this.#apply(ws, result, out, this.#now(), false);
    }
    if (!ws.alive) return;
    if (setup.eventTime && time === ws.cleanup) this.#clearAll(ws);
    else this.#dropIfEmpty(ws);
  }

  /**
   * After the end-of-stream watermark every event-time window has fired; windows whose cleanup time
   * saturated (lateness reaching past the largest timestamp) never get a cleanup timer, so they are
   * dropped here, without emitting.
   */
  endOfEventTime(): void {
    if (!this.#setup.eventTime) return;
    for (const entry of this.keys.values()) {
      this.changed?.set(entry.id, entry);
      for (const ws of entry.windows()) this.#clearAll(ws);
    }
    // Deletes the entries of keys that have no window left.
    for (const [id, entry] of this.keys) {
      if (entry.size === 0) {
        entry.live = false;
        this.keys.delete(id);
      }
    }
  }

  #onProcessingTime(timer: InternalTimer, out: Output<WindowResult<K, R>, K>): void {
    const ws = this.#windowOf(timer);
    if (ws === null) return;
    const setup = this.#setup;
    const time = timer.time;
    const ctx = this.ctx;
    ctx.ws = ws;
    const result = setup.trigger.onProcessingTime(time, ws.window, ctx);
    if (result !== CONTINUE) {
      if (setup.eventTime) this.#apply(ws, result, out, setup.watermark, false);
      else this.#apply(ws, result, out, time, true);
    }
    if (!ws.alive) return;
    if (!setup.eventTime && time === ws.cleanup) this.#clearAll(ws);
    else this.#dropIfEmpty(ws);
  }

  /** Drops every window and timer (before a restore). */
  clear(): void {
    this.changed = null;
    this.keys.clear();
    this.timers.clear();
    this.state.restore({ version: 1, states: {} });
  }
}
