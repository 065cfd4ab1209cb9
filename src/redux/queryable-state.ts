/**
 * The registry of local queryable state (src/core/queryable.ts) and the views the UI reads: each
 * view is a `subscribe` / `getSnapshot` pair for React's `useSyncExternalStore`. Operators say
 * "changed" per record; readers are told at most once per tick of the scheduler (an animation
 * frame in the browser), and a snapshot is built only when read after a change, then kept until
 * the next one, so `getSnapshot` returns the same object between changes.
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import { InvalidOptionError } from '../core/errors.js';
import { keyId, type Key, type KeyPart } from '../core/keys.js';
import type { QueryableEntry, QueryableStateHandle, QueryableStateRegistry } from '../core/queryable.js';
import { frameScheduler } from './frame-scheduler.js';

/** An immutable view of an operator's state at one moment. */
export interface QueryableSnapshot<K, V> {
  /** Every key's state, in the operator's order. Empty while no operator is registered. */
  readonly entries: readonly QueryableEntry<K, V>[];
  /** One key's state (keys compare by value, tuples by content). */
  get(key: K): V | undefined;
}

/** What `useSyncExternalStore` needs to read one view. */
export interface QueryableView<K, V> {
  /** Calls `listener` after changes (at most once per tick); returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** The current snapshot: the same object until the next change is announced. */
  getSnapshot(): QueryableSnapshot<K, V>;
}

/** Options of `createQueryableState`. */
export interface QueryableStateOptions {
  /** When readers are told of changes; default `animationFrameScheduler` in a browser, else `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/** A registry of queryable state for the operators' `queryable` option, with views for the UI. */
export interface QueryableState extends QueryableStateRegistry {
  /** The view named `name`, registered by an operator now or later. The same object for one name. */
  view<K extends Key, V>(name: string): QueryableView<K, V>;
}

const EMPTY: readonly QueryableEntry[] = Object.freeze([]);

function snapshotOf<K, V>(entries: readonly QueryableEntry<K, V>[]): QueryableSnapshot<K, V> {
  let index: Map<KeyPart, V> | undefined;
  return Object.freeze({
    entries: Object.freeze(entries),
    get(key: K): V | undefined {
      if (index === undefined) {
        index = new Map();
        for (const e of entries) index.set(keyId(e.key as Key), e.value);
      }
      return index.get(keyId(key as Key));
    },
  });
}

/** One name: the operator's read function (if one is registered), the readers and the cached snapshot. */
class NamedView<K, V> implements QueryableView<K, V> {
  readonly #listeners = new Set<() => void>();
  readonly #scheduler: SchedulerLike;
  #read: (() => readonly QueryableEntry[]) | undefined;
  #snapshot: QueryableSnapshot<K, V> | undefined;
  #tick: Subscription | undefined;

  constructor(scheduler: SchedulerLike) {
    this.#scheduler = scheduler;
  }

  /** The operator registered: the newest registration wins (a new subscription replaces the old one). */
  attach(read: () => readonly QueryableEntry[]): QueryableStateHandle {
    this.#read = read;
    this.#changed();
    return {
      changed: () => {
        if (this.#read === read) this.#changed();
      },
      close: () => {
        if (this.#read !== read) return;
        this.#read = undefined;
        this.#changed();
      },
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  getSnapshot = (): QueryableSnapshot<K, V> => {
    this.#snapshot ??= snapshotOf((this.#read?.() ?? EMPTY) as readonly QueryableEntry<K, V>[]);
    return this.#snapshot;
  };

  #changed(): void {
    if (this.#tick !== undefined) return;
    this.#tick = this.#scheduler.schedule(() => {
      this.#tick = undefined;
      this.#snapshot = undefined;
      for (const listener of [...this.#listeners]) listener();
    });
  }
}

/**
 * Creates a registry of local queryable state (the local equivalent of Flink's queryable state):
 * pass it with a name as an operator's `queryable` option, and read the operator's current state
 * by key through `view(name)`, from React with `useQueryableState` (rxflink/react) or
 * `useSyncExternalStore`. No global registry: each app creates its own.
 *
 * @example
 * ```ts
 * const registry = createQueryableState();
 * clicks$.pipe(
 *   withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((c) => c.page),
 *   window(tumblingEventTimeWindows(10_000), { queryable: queryableWindows(registry, 'open-windows') }).aggregate(count()),
 *   toValues(),
 * ).subscribe();
 * const openWindows = registry.view<string, readonly OpenWindow[]>('open-windows');
 * openWindows.getSnapshot().get('/home'); // [{ start: 0, end: 10000, accumulator: 4, elements: null }]
 * ```
 */
export function createQueryableState(options: QueryableStateOptions = {}): QueryableState {
  const views = new Map<string, NamedView<unknown, unknown>>();
  const viewOf = (name: string): NamedView<unknown, unknown> => {
    if (typeof name !== 'string' || name === '')
      throw new InvalidOptionError('name', name, 'must be a non-empty string');
    let view = views.get(name);
    if (view === undefined) {
      view = new NamedView(options.scheduler ?? frameScheduler());
      views.set(name, view);
    }
    return view;
  };
  return {
    register: (name, read) => viewOf(name).attach(read),
    view: <K extends Key, V>(name: string) => viewOf(name) as unknown as QueryableView<K, V>,
  };
}
