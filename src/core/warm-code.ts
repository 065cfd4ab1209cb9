/**
 * The last pipeline's hot objects, kept so that the next pipeline starts on optimized code.
 *
 * V8's optimized code holds the hidden classes (maps) of the objects it was compiled for, and the
 * functions it inlined, weakly: once the last object of a map is collected, every function compiled
 * against it is thrown away ("dependent code … weak objects" in `node --trace-deopt`). A class whose
 * fields are set in its constructor keeps only its first map alive (its constructor holds it); the
 * map with all fields lives as long as one instance does. So after a pipeline ended and a full
 * collection ran, the chain's loop (pane-run.ts), the pane table's methods and the entry's loop
 * were discarded, and the next pipeline ran its first tenth or so in the interpreter until
 * recompiled: measured, a pass of the pipeline bench was then no faster warm than cold.
 *
 * Kept here: the entry and the chain after it of the last `withEventTime(Batches)` pipeline
 * (runEntry, withEventTime.ts), dropped by a chain that ends with windows still open (only finished
 * pipelines, whose windows all fired, are kept: a few small objects, never their state), and one
 * blank pane (panes.ts). With the old objects alive, the next pipeline's functions, made at the same
 * places in the code, turn the call sites that inlined the old ones to their shared feedback cell
 * (one deoptimization, on the second pipeline), after which the code serves every pipeline.
 *
 * @internal
 */
export const warmCode: {
  /** The last pipeline's entry operator (TimestampsAndWatermarksOperator). */
  entry: object | null;
  /** What the last entry handed its values to: the fused chain, or the elements' array. */
  chain: object | null;
  /** A blank pane, for the map of a pane with all its fields (panes.ts). */
  pane: object | null;
} = { entry: null, chain: null, pane: null };
