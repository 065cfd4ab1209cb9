/**
 * The queryable view of a window operator (src/core/queryable.ts): each key's open windows, read
 * from the operator's state export (a copy, so readers may keep it). The `queryable` option brings
 * this code itself (`queryableWindows`), so that a window without it leaves the plain state export
 * (state-export.ts, pane-contents.ts, the accumulators' copies) out of its bundle: an option that
 * is only a registry and a name could not bring it (docs/architecture.md §4).
 */
import type {
  QueryableEntry,
  QueryableOption,
  QueryableStateHandle,
  QueryableStateRegistry,
} from '../core/queryable.js';
import type { WindowStateAccess } from './state-access.js';
import { exportWindowState } from './state-export.js';

/** One open window of a key, as the queryable view shows it. */
export interface OpenWindow {
  readonly start: number;
  readonly end: number;
  /** The incremental accumulator (reduce, aggregate), or undefined when the window keeps elements. */
  readonly accumulator: unknown;
  /** The window's elements, when it keeps them (process functions, evictors); else null. */
  readonly elements: readonly unknown[] | null;
}

/**
 * The `queryable` option of a window operator: a registry and a view name, with the code that reads
 * the operator's open windows. Made by `queryableWindows(registry, name)`.
 */
export interface QueryableWindows extends QueryableOption {
  /** Reads the open windows of the operator whose state is `state` (an opaque handle the operator passes). */
  readonly read: (state: object) => readonly QueryableEntry<unknown, readonly OpenWindow[]>[];
}

/**
 * The `queryable` option of `window(...)`: each key's open windows (`OpenWindow[]`), readable under
 * `name` in `registry` (`createQueryableState` of rxflink/redux).
 *
 * @example
 * ```ts
 * import { count, keyBy, queryableWindows, tumblingEventTimeWindows, window } from 'rxflink';
 * import { createQueryableState } from 'rxflink/redux';
 *
 * const live = createQueryableState();
 * const counts = window(tumblingEventTimeWindows(10_000), {
 *   queryable: queryableWindows(live, 'open-windows'),
 * }).aggregate(count());
 * ```
 */
export function queryableWindows(registry: QueryableStateRegistry, name: string): QueryableWindows {
  return {
    registry,
    name,
    read: (state) =>
      exportWindowState(state as WindowStateAccess).keys.map((k) => ({
        key: k.key,
        value: k.windows.map((w) => ({
          start: w.start,
          end: w.end,
          accumulator: w.has ? w.acc : undefined,
          elements: w.values,
        })),
      })),
  };
}

/**
 * Registers the open windows of the operator whose state is `state` under `option` (when given).
 *
 * @example
 * ```ts
 * // internal: this.#queryable = registerOpenWindows(config.queryable, this.stateAccess);
 * ```
 */
export function registerOpenWindows(
  option: QueryableWindows | undefined,
  state: WindowStateAccess,
): QueryableStateHandle | undefined {
  return option?.registry.register(option.name, () => option.read(state));
}
