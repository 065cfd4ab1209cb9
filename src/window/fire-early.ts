/**
 * Firing on request: a control element of type `'fire-early'`, travelling in-band with the records,
 * makes every window operator it passes fire each open window whose time has not reached its end
 * as an EARLY pane (Beam's `PaneInfo.Timing.EARLY`), in stream order. It is a trigger's FIRE
 * without PURGE (Flink's `TriggerResult.FIRE`): the window keeps its contents, and its later firings
 * count on from there, so the on-time pane of a window fired early once has index 1 and is not the
 * first. Page exit (rxflink/browser `earlyPanes`) sends it when the page goes hidden.
 */
import { markerBatch, type ControlElement } from '../core/elements.js';

/** The `type` of the control element that fires open windows early. */
export const FIRE_EARLY = 'fire-early';

/**
 * The control element that makes the window operators it passes fire their open windows as EARLY
 * panes, without purging them.
 *
 * @example
 * ```ts
 * // internal: processBatch(windowOperator, [record(1, 5), FIRE_EARLY_ELEMENT], out) // EARLY pane of [0, 10)
 * ```
 */
export const FIRE_EARLY_ELEMENT: ControlElement = /* @__PURE__ */ Object.freeze({ kind: 'control', type: FIRE_EARLY });

/**
 * A batch a source emits in place of values to carry the fire-early element into the pipeline (the
 * entry operator, `withEventTime`, turns it into the element, in order with the records around it).
 *
 * @example
 * ```ts
 * const clicks = new Subject<Click>(); // piped through withEventTime(...), keyBy(...), window(...)
 * clicks.next(fireEarlyBatch<Click>() as never); // its open windows fire as EARLY panes, in order
 * ```
 */
export function fireEarlyBatch<T>(): readonly T[] {
  return markerBatch<T>([FIRE_EARLY_ELEMENT]);
}
