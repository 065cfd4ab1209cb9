/**
 * The context a trigger or evictor of the general window path is called with (Flink's
 * `WindowOperator.Context`): timers and per-window trigger state of the window being handled. One
 * object is reused for every call; `ws` is set to the window first.
 */
import { MIN_WATERMARK } from '../core/elements.js';
import type { EvictorContext } from './evictors.js';
import type { OnMergeContext } from './triggers.js';
import type { WindowState } from './window-state.js';

/** The timers a trigger reaches through the context (window-timers.ts). */
export interface TimerAccess {
  now(): number;
  register(ws: WindowState, time: number, eventTime: boolean): void;
  remove(ws: WindowState, time: number, eventTime: boolean): void;
}

/** The trigger and evictor context, reused for every call: `ws` is the window being handled. */
export class TriggerContext implements OnMergeContext, EvictorContext {
  ws: WindowState | null = null;
  sources: WindowState[] | null = null;
  currentWatermark = MIN_WATERMARK;
  readonly #timers: TimerAccess;

  constructor(timers: TimerAccess) {
    this.#timers = timers;
  }

  currentProcessingTime(): number {
    return this.#timers.now();
  }

  registerEventTimeTimer(time: number): void {
    this.#timers.register(this.ws!, time, true);
  }

  deleteEventTimeTimer(time: number): void {
    this.#timers.remove(this.ws!, time, true);
  }

  registerProcessingTimeTimer(time: number): void {
    this.#timers.register(this.ws!, time, false);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.#timers.remove(this.ws!, time, false);
  }

  getState<S>(name: string): S | undefined {
    const state = this.ws!.tstate;
    return state === null ? undefined : (state[name] as S | undefined);
  }

  setState<S>(name: string, value: S): void {
    const ws = this.ws!;
    if (ws.tstate === null) ws.tstate = Object.create(null) as Record<string, unknown>;
    ws.tstate[name] = value;
  }

  clearState(name: string): void {
    const ws = this.ws!;
    const state = ws.tstate;
    if (state === null || !(name in state)) return;
    delete state[name];
    for (const _ in state) return;
    ws.tstate = null;
  }

  mergeState<S>(name: string, combine: (a: S, b: S) => S): void {
    let acc: S | undefined;
    for (const source of this.sources ?? []) {
      const v = source.tstate === null ? undefined : (source.tstate[name] as S | undefined);
      if (v === undefined) continue;
      acc = acc === undefined ? v : combine(acc, v);
    }
    if (acc !== undefined) this.setState(name, acc);
  }
}
