/**
 * Session merging, after Flink's `MergingWindowSet`: a key's sessions are disjoint and sorted by
 * start; a new element's window `[t, t + gap)` merges with every session it overlaps or touches.
 * Here a merged session's contents live directly under the merged window (merged in start order),
 * so there is no separate state-window mapping; its trigger state, keyed state with the window as
 * namespace, is merged by the trigger's `onMerge` through `mergeNamespaces` (trigger-context.ts).
 */
import type { OperatorRuntime } from '../core/operator.js';
import { WindowMergeError } from './errors.js';
import type { TriggerContext } from './trigger-context.js';
import type { Trigger } from './triggers.js';
import type { Incremental } from './window-functions.js';
import { WindowState, type KeyEntry } from './window-state.js';
import type { WindowContents } from './window-contents.js';
import type { WindowTimers } from './window-timers.js';
import { windowEnd } from './windows.js';

/**
 * What the set reads of the operator's configuration (config.ts's `WindowSetup`): named here, as
 * config.ts names the assigners, which bring this set.
 */
export interface MergingSetup<T> {
  readonly assigner: object;
  readonly trigger: Trigger<T>;
  readonly incremental: Incremental | null;
  readonly runtime: OperatorRuntime;
  readonly eventTime: boolean;
  readonly lateness: number;
  readonly watermark: number;
  cleanupTime(maxTs: number): number;
}

/** The sessions of a window operator with a merging assigner. */
export class MergingWindowSet<T> {
  readonly #setup: MergingSetup<T>;
  readonly #ctx: TriggerContext;
  readonly #timers: WindowTimers;
  readonly #contents: WindowContents;

  constructor(setup: MergingSetup<T>, ctx: TriggerContext, timers: WindowTimers, contents: WindowContents) {
    this.#setup = setup;
    this.#ctx = ctx;
    this.#timers = timers;
    this.#contents = contents;
  }

  /**
   * The session of `entry` that an element at `timestamp` goes to, after merging the sessions its
   * window joins; null if that window is late (Flink's isWindowLate: it would be retired at once).
   */
  place(entry: KeyEntry, value: T, timestamp: number): WindowState | null {
    const setup = this.#setup;
    const assigner = setup.assigner as { readonly gap: (value: T) => number }; // a session assigner: it brought this set
    const eventTime = setup.eventTime;
    const s = eventTime ? timestamp : setup.runtime.processingTime.now();
    const e = windowEnd(s, assigner.gap(value));
    const sessions = entry.list!;
    // The existing windows are disjoint and sorted: the ones that overlap or touch [s, e) are a run.
    let i0 = 0;
    while (i0 < sessions.length && sessions[i0]!.end < s) i0++;
    let i1 = i0;
    while (i1 < sessions.length && sessions[i1]!.start <= e) i1++;
    if (i1 === i0) {
      const cleanup = setup.cleanupTime(e - 1);
      if (eventTime && cleanup <= setup.watermark) return null; // late window: retired at once
      const ws = new WindowState(entry, s, e, cleanup);
      sessions.splice(i0, 0, ws);
      return ws;
    }
    if (i1 - i0 === 1 && sessions[i0]!.start <= s && sessions[i0]!.end >= e) {
      return sessions[i0]!; // falls inside one session: no merge (Flink calls no merge function here)
    }
    const merged = sessions.slice(i0, i1);
    const start = Math.min(s, merged[0]!.start);
    const end = Math.max(e, merged[merged.length - 1]!.end);
    const maxTs = end - 1;
    if (eventTime ? maxTs + setup.lateness <= setup.watermark : maxTs <= setup.runtime.processingTime.now()) {
      throw new WindowMergeError({ start, end }, eventTime ? setup.watermark : setup.runtime.processingTime.now());
    }
    const ws = new WindowState(entry, start, end, setup.cleanupTime(maxTs));
    for (const m of merged) this.#mergeContents(ws, m);
    const ctx = this.#ctx;
    ctx.ws = ws;
    ctx.sources = merged;
    setup.trigger.onMerge!(ws.window, ctx);
    ctx.sources = null;
    for (const m of merged) {
      ctx.ws = m;
      setup.trigger.clear(m.window, ctx);
      ctx.clearAllState(m); // what the trigger's clear left (Flink clears the merged windows' state)
      if (m.cleanup !== Infinity) this.#timers.remove(m, m.cleanup, eventTime);
      m.alive = false;
    }
    sessions.splice(i0, i1 - i0, ws);
    return ws;
  }

  /** Adds the contents of `source` to `target`'s (the source's are cleared with the rest of its state). */
  #mergeContents(target: WindowState, source: WindowState): void {
    // The merged session continues the pane count of the session that fired most.
    if (source.panes > target.panes) target.panes = source.panes;
    const contents = this.#contents;
    const inc = this.#setup.incremental;
    if (inc !== null) {
      const acc = contents.acc(source);
      if (acc === undefined) return;
      const into = contents.acc(target);
      contents.setAcc(target, into === undefined ? acc : inc.merge(into, acc));
      return;
    }
    const elements = contents.elements(source);
    if (elements === undefined) return;
    const into = contents.elements(target);
    if (into === undefined) {
      contents.setElements(target, { values: elements.values.slice(), times: elements.times.slice() });
      return;
    }
    for (const v of elements.values) into.values.push(v);
    for (const t of elements.times) into.times.push(t);
    contents.setElements(target, into);
  }
}
