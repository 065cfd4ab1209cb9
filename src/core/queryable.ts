/**
 * Local queryable state: the hook by which a keyed operator lets the UI read its current state
 * (the local equivalent of Flink's queryable state, where a client reads an operator's keyed state
 * by name). Nothing registers globally: the user passes a registry in the operator's options, and
 * the operator registers one view per subscription. The registry (`createQueryableState` in
 * rxflink/redux) decides when readers are told; the operator only says that its state may have
 * changed, which is a flag write on its hot path.
 */

/** One key of a queryable view: the key and that key's state, as plain data. */
export interface QueryableEntry<K = unknown, V = unknown> {
  readonly key: K;
  readonly value: V;
}

/** What an operator receives back when it registers a view. */
export interface QueryableStateHandle {
  /** The operator's state may have changed (called per record: must be cheap). */
  changed(): void;
  /** The operator is disposed: the view goes away. */
  close(): void;
}

/** Where operators register their views. Implemented by `createQueryableState` (rxflink/redux). */
export interface QueryableStateRegistry {
  /**
   * Registers the view `name`: `read` returns a copy of the state by key, as plain data the caller
   * may keep (it is not changed later). Called when a reader asks after a change, never per record.
   */
  register(name: string, read: () => readonly QueryableEntry[]): QueryableStateHandle;
}

/** The operator option that makes its state queryable: the registry and the view's name. */
export interface QueryableOption {
  readonly registry: QueryableStateRegistry;
  readonly name: string;
}
