/**
 * A Redux slice of window results on `createEntityAdapter`: one entity per key and window (id from
 * window-id.ts), replaced when the window fires again (a late firing, with allowed lateness), and
 * evicted once the watermark is past the window's end by more than a retention. What a user wrote
 * in about 20 lines of glue per app before.
 */
import {
  createAction,
  createEntityAdapter,
  createReducer,
  createSelector,
  type ActionCreatorWithoutPayload,
  type ActionCreatorWithPreparedPayload,
  type EntityAdapter,
  type EntityState,
  type Reducer,
} from '@reduxjs/toolkit';
import { InvalidOptionError } from '../core/errors.js';
import type { Key } from '../core/keys.js';
import type { PaneInfo } from '../window/pane-info.js';
import type { WindowResult } from '../window/types.js';
import { preparePipelineAction, type PipelineActionMeta } from './pipeline-actions.js';
import { encodeResultKey, windowResultId } from './window-id.js';

/** One window result in the store. */
export interface WindowResultEntity<K extends Key, V> {
  /** `windowResultId(key, start, end)`: `${encoded key}|${start}|${end}`. */
  readonly id: string;
  readonly key: K;
  readonly start: number;
  readonly end: number;
  readonly value: V;
  /** How many times the window fired: above 1 after late firings (each replaced the value). */
  readonly firings: number;
}

/** The slice's state: the entities, the watermark it knows of, and late results it ignored. */
export interface WindowResultsState<K extends Key, V> extends EntityState<WindowResultEntity<K, V>, string> {
  /** The highest watermark known: from `watermarkAdvanced`, or implied by results (a window fires at end − 1). */
  readonly watermark: number | null;
  /** Results that came for a window already evicted, and were not stored. */
  readonly ignoredLate: number;
}

/** Options of `createWindowResultsSlice`. */
export interface WindowResultsSliceOptions<V> {
  /** The slice's name: its action type prefix and, by default, its key in the root state. */
  name: string;
  /**
   * Event time (ms, >= 0) a window is kept after the watermark passed its last timestamp
   * (`end - 1`): once `end - 1 + retention < watermark`, it is evicted.
   */
  retention: number;
  /** The number `selectTopN` ranks by; default the value itself (for numeric results). */
  rank?: (value: V) => number;
}

/**
 * The memoized selectors of a window-results slice, over the root state. `selectByKey` and
 * `selectTopN` cache one result per argument.
 */
export interface WindowResultsSelectors<S, K extends Key, V> {
  /** Every stored result, in insertion order. */
  selectAll(state: S): readonly WindowResultEntity<K, V>[];
  /** One result by its id (`windowResultId`). */
  selectById(state: S, id: string): WindowResultEntity<K, V> | undefined;
  /** The windows of one key, by start time. */
  selectByKey(state: S, key: K): readonly WindowResultEntity<K, V>[];
  /** Each key's latest window (highest start), in order of key id. */
  selectLatestPerKey(state: S): readonly WindowResultEntity<K, V>[];
  /** The `n` results with the highest rank (`rank` option), highest first. */
  selectTopN(state: S, n: number): readonly WindowResultEntity<K, V>[];
}

/**
 * A result as the slice takes it: a `WindowResult` (its `pane` is optional, so results built by
 * hand or read back from storage fit too).
 */
export type WindowResultInput<K, V> = Omit<WindowResult<K, V>, 'pane'> & { readonly pane?: PaneInfo };

/** What `createWindowResultsSlice` returns: the reducer, its actions, the adapter and the selectors. */
export interface WindowResultsSlice<K extends Key, V> {
  readonly name: string;
  readonly reducer: Reducer<WindowResultsState<K, V>>;
  readonly actions: {
    /** Stores a batch of results (as `dispatchResults` sends them): inserted, or replacing a late firing's previous value. */
    readonly resultsReceived: ActionCreatorWithPreparedPayload<
      [readonly WindowResultInput<K, V>[]],
      readonly WindowResultInput<K, V>[],
      string,
      never,
      PipelineActionMeta
    >;
    /** The pipeline's watermark moved: evicts what is past retention. */
    readonly watermarkAdvanced: ActionCreatorWithPreparedPayload<[number], number, string, never, PipelineActionMeta>;
    /** Removes every result. */
    readonly cleared: ActionCreatorWithoutPayload<string>;
  };
  readonly adapter: EntityAdapter<WindowResultEntity<K, V>, string>;
  /** The selectors over a root state where `selectState` finds this slice. */
  getSelectors<S>(selectState: (root: S) => WindowResultsState<K, V>): WindowResultsSelectors<S, K, V>;
  /** The selectors for a store where this slice sits under its name. */
  readonly selectors: WindowResultsSelectors<Record<string, unknown>, K, V>;
}

/**
 * Creates a slice that keeps window results by key and window, for `dispatchResults`.
 *
 * @example
 * ```ts
 * const perArea = createWindowResultsSlice<string, number>({ name: 'clicksPerArea', retention: 60_000 });
 * const store = configureStore({ reducer: { clicksPerArea: perArea.reducer } });
 * store.dispatch(perArea.actions.resultsReceived([{ key: 'home', window: { start: 0, end: 10_000 }, value: 3 }]));
 * perArea.selectors.selectByKey(store.getState(), 'home'); // [{ id: 's:home|0|10000', key: 'home', start: 0, end: 10000, value: 3, firings: 1 }]
 * ```
 */
export function createWindowResultsSlice<K extends Key, V>(
  options: WindowResultsSliceOptions<V>,
): WindowResultsSlice<K, V> {
  const { name, retention } = options;
  if (typeof name !== 'string' || name === '') throw new InvalidOptionError('name', name, 'must be a non-empty string');
  if (!(typeof retention === 'number' && retention >= 0))
    throw new InvalidOptionError('retention', retention, 'must be a number of ms >= 0');
  const rank = options.rank ?? ((value: V) => value as unknown as number);
  if (typeof rank !== 'function') throw new InvalidOptionError('rank', rank, 'must be a function (value) => number');
  type Entity = WindowResultEntity<K, V>;
  type State = WindowResultsState<K, V>;
  type Mutable = { -readonly [P in keyof State]: State[P] };
  const adapter = createEntityAdapter<Entity, string>({ selectId: (e) => e.id });
  const expired = (end: number, watermark: number | null): boolean =>
    watermark !== null && end - 1 + retention < watermark;
  const evict = (state: Mutable): void => {
    const gone = (state.ids as string[]).filter((id) => expired(state.entities[id]!.end, state.watermark));
    if (gone.length > 0) adapter.removeMany(state as EntityState<Entity, string>, gone);
  };
  const advance = (state: Mutable, watermark: number): void => {
    if (state.watermark === null || watermark > state.watermark) {
      state.watermark = watermark;
      evict(state);
    }
  };
  const initialState: State = adapter.getInitialState({ watermark: null, ignoredLate: 0 });
  const actions = {
    /** Stores a batch of results (as `dispatchResults` sends them): inserted, or replacing a late firing's previous value. */
    resultsReceived: createAction(
      `${name}/resultsReceived`,
      preparePipelineAction<readonly WindowResultInput<K, V>[]>(),
    ),
    /** The pipeline's watermark moved (from the status adapter, or your own): evicts what is past retention. */
    watermarkAdvanced: createAction(`${name}/watermarkAdvanced`, preparePipelineAction<number>()),
    /** Removes every result. */
    cleared: createAction(`${name}/cleared`),
  };
  const reducer = createReducer(initialState, (builder) =>
    builder
      .addCase(actions.resultsReceived, (draft, action) => {
        const state = draft as unknown as Mutable;
        let implied = -Infinity;
        const entities: Entity[] = [];
        for (const r of action.payload) {
          const { start, end } = r.window;
          implied = Math.max(implied, end - 1);
          if (expired(end, state.watermark)) {
            state.ignoredLate++;
            continue;
          }
          const id = windowResultId(r.key, start, end);
          const previous = state.entities[id];
          entities.push({ id, key: r.key, start, end, value: r.value, firings: (previous?.firings ?? 0) + 1 });
        }
        adapter.setMany(state as EntityState<Entity, string>, entities);
        if (implied > -Infinity) advance(state, implied);
      })
      .addCase(actions.watermarkAdvanced, (draft, action) => advance(draft as unknown as Mutable, action.payload))
      .addCase(actions.cleared, (draft) => {
        adapter.removeAll(draft as unknown as EntityState<Entity, string>);
      }),
  );

  /** The selectors over a root state where `selectState` finds this slice (default: `root[name]`). */
  function getSelectors<S>(selectState: (root: S) => State): WindowResultsSelectors<S, K, V> {
    const base = adapter.getSelectors(selectState);
    const selectAll = base.selectAll as (state: S) => Entity[];
    const byStart = (a: Entity, b: Entity): number => a.start - b.start || a.end - b.end;
    return {
      selectAll,
      selectById: (state, id) => base.selectById(state, id),
      selectByKey: createSelector([selectAll, (_: S, key: K) => encodeResultKey(key)], (all, encoded) =>
        all.filter((e) => encodeResultKey(e.key) === encoded).sort(byStart),
      ),
      selectLatestPerKey: createSelector([selectAll], (all) => {
        const latest = new Map<string, Entity>();
        for (const e of all) {
          const k = encodeResultKey(e.key);
          const seen = latest.get(k);
          if (seen === undefined || byStart(seen, e) < 0) latest.set(k, e);
        }
        return [...latest.keys()].sort().map((k) => latest.get(k)!);
      }),
      selectTopN: createSelector([selectAll, (_: S, n: number) => n], (all, n) =>
        [...all].sort((a, b) => rank(b.value) - rank(a.value) || byStart(a, b)).slice(0, Math.max(0, n)),
      ),
    };
  }

  return {
    name,
    reducer,
    actions,
    adapter,
    getSelectors,
    /** The selectors for a store where this slice sits under its name. */
    selectors: getSelectors((root: Record<string, unknown>) => root[name] as State),
  };
}
