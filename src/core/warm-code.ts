/**
 * The last finished pipeline's hot objects, kept so that the next pipeline starts on optimized code.
 *
 * V8's optimized code holds the hidden classes (maps) of the objects it was compiled for, and the
 * functions it inlined, weakly: once the last object of a map is collected, every function compiled
 * against it is thrown away ("dependent code … weak objects" in `node --trace-deopt`). A class whose
 * fields are set in its constructor keeps only its first map alive (its constructor holds it); the
 * map with all fields lives as long as one instance does. So after a pipeline ended and a full
 * collection ran, the chain's loop (pane-run.ts), the pane table's methods and the entry's loop
 * were discarded, and the next pipeline ran its start in the interpreter until recompiled:
 * measured, a pass of the pipeline bench was then no faster warm than cold.
 *
 * Kept here: the entry and the chain after it of the last `withEventTime(Batches)` pipeline that
 * ended with no window open (runEntry, withEventTime.ts: a few small objects, never a pipeline's
 * state: its pane table drops its spare arrays when cleared at the end of input), one blank pane
 * (panes.ts), and for the results path, one delivered result and one subscription to nothing
 * (measured: without them `deliver`, the result class and RxJS's `Subscriber.next` were discarded
 * after every pipeline, `--trace-deopt`: "weak objects"). They are replaced when the next pipeline
 * ends, not when it starts: while it runs, the old functions are still alive, so each call site that inlined one sees
 * the new one, made at the same place in the user's code, and turns to their shared feedback cell
 * (one deoptimization, in the second pipeline), after which the code serves every pipeline.
 *
 * @internal
 */
export const warmCode: {
  /** The entry operator (TimestampsAndWatermarksOperator) of the last finished pipeline. */
  entry: object | null;
  /** What that entry handed its values to: the fused chain (its operator), or the elements' array. */
  chain: { readonly operator: object } | null;
  /** A blank pane, for the map of a pane with all its fields (panes.ts). */
  pane: object | null;
  /**
   * The first result of the last pane a fused chain delivered (pane-path.ts `deliver`): the map of
   * a `WindowResult` and that of its value (a `combine`'s result class, combined-results.ts), which
   * the results path's code (`deliver`, the result classes, RxJS's `next`) holds. It holds one key,
   * one window and one value, results the user has already received, never a window's state.
   */
  result: object | null;
  /**
   * A subscription that never ends, of a function, to an observable that never emits (made at the
   * first pipeline's end, withEventTime.ts): RxJS drops a subscriber's destination when it ends, so
   * with the last pipeline's subscriber went the maps of RxJS's subscriber of `subscribe(fn)`, which
   * the code of `deliver` (that inlined the subscriber's `next`) holds. A few empty objects.
   */
  subscriber: object | null;
} = { entry: null, chain: null, pane: null, result: null, subscriber: null };

/**
 * At the end of a pipeline (its teardown): keeps its entry and chain in `warmCode`, unless its
 * operator still holds windows (unsubscribed before the end), whose state would then be kept.
 *
 * @example
 * ```ts
 * // internal (runEntry's teardown): keepWarm(entry, chain);
 * ```
 */
export function keepWarm(entry: object, chain: { readonly operator: object }): void {
  if (((chain.operator as { windowCount?: number }).windowCount ?? 0) > 0) return;
  warmCode.entry = entry;
  warmCode.chain = chain;
}
