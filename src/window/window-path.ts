/**
 * How the window operator reaches its general path (general-path.ts) without importing it: the
 * descriptors that need it (assigners other than tumbling event time, the library's triggers and
 * evictors, and those made with `defineTrigger`/`defineEvictor`) carry a reference to its factory
 * (general-windows.ts), and the operator builds the path from the one its setup found (config.ts).
 * A pipeline that uses none of them (tumbling event-time windows, default trigger, no evictor)
 * never references general-path.ts, so a bundler leaves it, the keyed state backend and the timer
 * service out. This file imports nothing: the descriptors' types depend on it.
 */

/**
 * The general path's factory, opaque here (its type, `GeneralPathFactory`, is in general-windows.ts,
 * which the descriptors' types cannot import without a cycle through the operator's setup).
 */
export interface GeneralPathRef {
  (setup: never): unknown;
  /** Checks the options only the general path reads (general-config.ts), when the pipeline is built. */
  readonly check: (assigner: never, options: never) => void;
}

/** A descriptor (assigner, trigger, evictor) that may bring the general path along. */
export interface BringsGeneralPath {
  /**
   * The general path's factory: set by the library's descriptors that need it, and by
   * `defineTrigger`/`defineEvictor`.
   * @internal
   */
  readonly generalPath?: GeneralPathRef;
}
