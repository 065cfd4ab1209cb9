/**
 * The queryable view of a window operator (src/core/queryable.ts): each key's open windows, read
 * from the operator's state export (a copy, so readers may keep it). Kept out of operator.ts, which
 * only registers it.
 */
import type { QueryableEntry, QueryableOption, QueryableStateHandle } from '../core/queryable.js';
import type { WindowOperatorState } from './types.js';

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
 * Registers the open windows of `exportState` under `option` (when given).
 *
 * @example
 * ```ts
 * constructor(config: WindowOperatorConfig<T, K, R>, runtime: OperatorRuntime) {
 *   ...
 *   this.#queryable = registerOpenWindows(config.queryable, () => this.snapshotState());
 * }
 * ```
 */
export function registerOpenWindows(
  option: QueryableOption | undefined,
  exportState: () => WindowOperatorState,
): QueryableStateHandle | undefined {
  if (option === undefined) return undefined;
  return option.registry.register(option.name, (): readonly QueryableEntry<unknown, readonly OpenWindow[]>[] =>
    exportState().keys.map((k) => ({
      key: k.key,
      value: k.windows.map((w) => ({
        start: w.start,
        end: w.end,
        accumulator: w.has ? w.acc : undefined,
        elements: w.values,
      })),
    })),
  );
}
