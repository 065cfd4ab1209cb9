/**
 * The queryable view of a window operator (src/core/queryable.ts): each key's open windows, read
 * from the operator's state export (a copy, so readers may keep it). The `queryable` option brings
 * this code itself (`queryableWindows`), so that a window without it leaves the plain state export
 * (state-export.ts, pane-contents.ts, the accumulators' copies) out of its bundle: an option that
 * is only a registry and a name could not bring it (docs/architecture.md §4).
 */
import type { QueryableStateHandle, QueryableStateRegistry } from '../core/queryable.js';
import type { QueryableWindows } from './types.js';
import type { WindowStateAccess } from './state-access.js';
import { exportWindowState } from './state-export.js';

export type { OpenWindow, QueryableWindows } from './types.js';

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
