/**
 * The context a trigger or evictor of the general window path is called with (Flink's
 * `WindowOperator.Context`): timers and per-window trigger state of the window being handled. One
 * object is reused for every call; `ws` is set to the window first.
 *
 * Trigger state is keyed state of the operator's `KeyedStateBackend`, as Flink's
 * `getPartitionedState`: a value state per name (prefixed `trigger:`), in the window's namespace;
 * merging sessions merge its namespaces (`mergeNamespaces`).
 */

import { MIN_WATERMARK } from '../core/elements.js';
import type { KeyedStateBackend } from '../state/backend.js';
import { valueState, type StateSerializer } from '../state/descriptors.js';
import { mergeNamespaces } from '../state/merge-namespaces.js';
import type { ValueState } from '../state/state-types.js';
import { clonePlain } from './aggregates.js';
import type { EvictorContext } from './evictors.js';
import type { OnMergeContext } from './triggers.js';
import { WindowContents } from './window-contents.js';
import type { WindowState } from './window-state.js';

/** The prefix of the trigger states' names in the keyed state backend. */
export const TRIGGER_STATE_PREFIX = 'trigger:';

/** Trigger state in a checkpoint: a copy, of plain data (trigger state changed in place stays as exported). */
const TRIGGER_STATE: StateSerializer<unknown> = {
  toPlain: (value) => clonePlain(value, 'trigger state'),
  fromPlain: (data) => data,
};

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
  readonly #state: KeyedStateBackend;
  readonly #handles = new Map<string, ValueState<unknown>>();
  /** The contents of the windows, in the same backend (window-contents.ts). */
  readonly contents: WindowContents;

  /**
   * Timers go to `timers`; trigger state is value state of `state`, with the window as namespace, as
   * are the contents (exported through `contents`).
   */
  constructor(timers: TimerAccess, state: KeyedStateBackend, contents?: StateSerializer<unknown>) {
    this.#timers = timers;
    this.#state = state;
    this.contents = new WindowContents(state, contents);
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
    return this.#handle(name).value() as S | undefined;
  }

  setState<S>(name: string, value: S): void {
    this.#handle(name).update(value);
  }

  clearState(name: string): void {
    this.#handle(name).clear();
  }

  mergeState<S>(name: string, combine: (a: S, b: S) => S): void {
    const handle = this.#handle(name) as ValueState<S>;
    const sources = (this.sources ?? []).map((source) => source.ns);
    mergeNamespaces(this.#state, handle, this.ws!.ns, sources, combine);
  }

  /** Whether window `ws` holds keyed state: trigger state or contents. */
  hasState(ws: WindowState): boolean {
    this.#state.setCurrentKeyId(ws.entry.id);
    return this.#state.hasStateIn(ws.ns);
  }

  /** Drops every keyed state of window `ws`, trigger state and contents (a merged-away or cleaned-up window). */
  clearAllState(ws: WindowState): void {
    this.#state.setCurrentKeyId(ws.entry.id);
    this.#state.clearKeyNamespace(ws.ns);
  }

  /** The trigger states of window `ws` as [name, value] pairs, or null if it has none (for its export). */
  statesOf(ws: WindowState): [string, unknown][] | null {
    this.#state.setCurrentKeyId(ws.entry.id);
    const states: [string, unknown][] = [];
    for (const [name, value] of this.#state.cellsIn(ws.ns)) {
      if (name.startsWith(TRIGGER_STATE_PREFIX)) states.push([name.slice(TRIGGER_STATE_PREFIX.length), value]);
    }
    return states.length === 0 ? null : states;
  }

  /** The value state `name` of the trigger, with the window's key and namespace current. */
  /** Declares every trigger state restored into the backend and not declared yet (layered-restore.ts). */
  declareRestored(): void {
    for (const name of this.#state.stateNames())
      if (name.startsWith(TRIGGER_STATE_PREFIX)) this.#declared(name.slice(TRIGGER_STATE_PREFIX.length));
  }

  #declared(name: string): ValueState<unknown> {
    let handle = this.#handles.get(name);
    if (handle === undefined) {
      handle = this.#state.getState(valueState<unknown>(TRIGGER_STATE_PREFIX + name, { serializer: TRIGGER_STATE }));
      this.#handles.set(name, handle);
    }
    return handle;
  }

  #handle(name: string): ValueState<unknown> {
    const handle = this.#declared(name);
    const ws = this.ws!;
    this.#state.setCurrentKeyId(ws.entry.id);
    this.#state.setCurrentNamespace(ws.ns);
    return handle;
  }
}
