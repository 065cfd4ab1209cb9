/**
 * The queryable view of a keyedProcess operator (src/core/queryable.ts): each key's state in the
 * default namespace, by state name. Kept out of keyedProcess.ts, which only registers it.
 */
import { keyId, type Key, type KeyPart } from '../core/keys.js';
import type { QueryableEntry, QueryableOption, QueryableStateHandle } from '../core/queryable.js';
import type { KeyedStateBackend } from '../state/backend.js';

/**
 * Registers `backend` under `option` (when given) and returns the handle the operator tells of
 * changes, or undefined. A read after a change that left the state as it was (the backend's
 * `modCount` did not move) returns the previous entries, so readers see no change.
 *
 * @example
 * ```ts
 * constructor(fn: KeyedProcessFunction<T, K, R>, options: KeyedProcessOptions, runtime: OperatorRuntime) {
 *   ...
 *   this.#queryable = registerKeyedState(options.queryable, this.#backend);
 * }
 * ```
 */
export function registerKeyedState(
  option: QueryableOption | undefined,
  backend: KeyedStateBackend,
): QueryableStateHandle | undefined {
  if (option === undefined) return undefined;
  let seen = -1;
  let entries: readonly QueryableEntry[] = [];
  return option.registry.register(option.name, () => {
    if (backend.modCount === seen) return entries;
    seen = backend.modCount;
    entries = readKeyedState(backend);
    return entries;
  });
}

/** Every key's state values (default namespace) as `{ key, value: { [stateName]: value } }`. */
function readKeyedState(backend: KeyedStateBackend): readonly QueryableEntry[] {
  const byKey = new Map<KeyPart, { key: Key; value: Record<string, unknown> }>();
  for (const name of backend.stateNames()) {
    for (const [key, value] of backend.readValues(name)) {
      const id = keyId(key);
      let entry = byKey.get(id);
      if (entry === undefined) {
        entry = { key, value: Object.create(null) as Record<string, unknown> };
        byKey.set(id, entry);
      }
      Object.defineProperty(entry.value, name, { value, enumerable: true });
    }
  }
  return [...byKey.values()];
}
