/**
 * Firing on request: a control element of type `'fire-early'`, travelling in-band with the records,
 * makes every window operator it passes fire each open window whose time has not reached its end
 * as an EARLY pane (Beam's `PaneInfo.Timing.EARLY`), in stream order. It is a trigger's FIRE
 * without PURGE (Flink's `TriggerResult.FIRE`): the window keeps its contents, and its later firings
 * count on from there, so the on-time pane of a window fired early once has index 1 and is not the
 * first. Page exit (rxflink/browser `earlyPanes`) sends it when the page goes hidden.
 */
import { markerBatch, type ControlElement } from '../core/elements.js';
import { paneOf, type PaneInfo } from './pane-info.js';

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
export const FIRE_EARLY_ELEMENT: ControlElement = Object.freeze({ kind: 'control', type: FIRE_EARLY });

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

/**
 * How many times each window of the pane table (pane-path.ts) fired early, by pane and slot: the
 * index of its next pane. Only panes fired early have an entry, so the on-time firing of the others
 * keeps its shared `ON_TIME_ONLY_PANE`.
 *
 * @example
 * ```ts
 * // internal: const counts = firings.take(pane); // then onTimePane(counts, slot) for each slot
 * ```
 */
export class PaneFirings<P> {
  readonly #counts = new Map<P, number[]>();

  /** The EARLY pane of slot `slot`'s next firing in `pane`, counted. */
  early(pane: P, slot: number, watermark: number, maxTs: number): PaneInfo {
    const index = this.count(pane, slot);
    this.set(pane, slot, index + 1);
    return paneOf(index, watermark, maxTs, false, false);
  }

  /** How many times slot `slot` of `pane` fired (0 if never): exported with the window's state. */
  count(pane: P, slot: number): number {
    return this.#counts.get(pane)?.[slot] ?? 0;
  }

  /** Sets the count of slot `slot` of `pane` (a firing, or a restored window's). */
  set(pane: P, slot: number, count: number): void {
    const counts = this.#counts.get(pane) ?? [];
    counts[slot] = count;
    this.#counts.set(pane, counts);
  }

  /** The counts of `pane`, which fires on time now and is dropped; undefined if it never fired early. */
  take(pane: P): number[] | undefined {
    const counts = this.#counts.get(pane);
    if (counts !== undefined) this.#counts.delete(pane);
    return counts;
  }

  clear(): void {
    this.#counts.clear();
  }

  /** Whether no pane has a count. */
  get empty(): boolean {
    return this.#counts.size === 0;
  }
}

/**
 * The on-time (and, without allowed lateness, last) pane of a window of the pane table after the
 * early panes `counts[slot]` counted.
 *
 * @example
 * ```ts
 * // internal: onTimePane([1], 0) // { timing: 'ON_TIME', index: 1, isFirst: false, isLast: true }
 * ```
 */
export function onTimePane(counts: readonly number[], slot: number): PaneInfo {
  return paneOf(counts[slot] ?? 0, 0, 0, true, true);
}
