/**
 * A window's contents on the general path as keyed state of the one layer: one value state,
 * `window-contents`, of the operator's KeyedStateBackend, in the window's namespace (Flink's
 * WindowOperator keeps them in its `windowState` with the window as namespace). The cell is the
 * accumulator with an incremental function (aggregate, reduce), or the elements with their
 * timestamps otherwise (what a process function and an evictor need). No cell: an empty window.
 */
import { accExportOf } from './acc-export.js';
import type { KeyedStateBackend } from '../state/backend.js';
import { valueState, type StateSerializer } from '../state/descriptors.js';
import type { ValueState } from '../state/state-types.js';
import type { Incremental } from './window-functions.js';
import type { WindowState } from './window-state.js';

/** The elements of a window without an incremental function, with their timestamps side by side. */
export interface WindowElements {
  readonly values: unknown[];
  readonly times: number[];
}

/** The name of the contents' state in the window operator's keyed state backend. */
export const CONTENTS_STATE = 'window-contents';

/**
 * How a checkpoint exports a window's contents, and reads them back: an accumulator through the
 * incremental function (`exportAcc`: a copy, or `exportAccumulator`'s plain data), elements as
 * copies of their arrays (they grow in place after the export).
 *
 * @example
 * ```ts
 * // internal: new WindowContents(backend, contentsSerializer(setup.incremental))
 * ```
 */
export function contentsSerializer(inc: Incremental | null): StateSerializer<unknown> {
  if (inc !== null) {
    const acc = accExportOf(inc);
    return { toPlain: (a) => acc.exportAcc(a), fromPlain: (data) => acc.importAcc(data) };
  }
  const copy = (e: unknown): WindowElements => {
    const { values, times } = e as WindowElements;
    return { values: values.slice(), times: times.slice() };
  };
  return { toPlain: copy, fromPlain: copy };
}

/** Reads and writes window contents in the backend, each with the window's key and namespace current. */
export class WindowContents {
  readonly #state: KeyedStateBackend;
  readonly #cell: ValueState<unknown>;

  /** `serializer`: how a checkpoint exports a cell (`contentsSerializer`). */
  constructor(state: KeyedStateBackend, serializer?: StateSerializer<unknown>) {
    this.#state = state;
    this.#cell = state.getState(valueState<unknown>(CONTENTS_STATE, { serializer }));
  }

  #at(ws: WindowState): ValueState<unknown> {
    const state = this.#state;
    state.setCurrentKeyId(ws.entry.id);
    state.setCurrentNamespace(ws.ns);
    return this.#cell;
  }

  /** Whether `ws` holds any element (or an accumulator). */
  has(ws: WindowState): boolean {
    return this.#at(ws).value() !== undefined;
  }

  /** The accumulator of `ws`, undefined while it is empty. */
  acc(ws: WindowState): unknown {
    return this.#at(ws).value();
  }

  /** Sets the accumulator of `ws` (also after changing it in place: the change is then recorded). */
  setAcc(ws: WindowState, acc: unknown): void {
    this.#at(ws).update(acc);
  }

  /** The elements of `ws`, undefined while it is empty. */
  elements(ws: WindowState): WindowElements | undefined {
    return this.#at(ws).value() as WindowElements | undefined;
  }

  /** Sets the elements of `ws`; none (or undefined) empties it. */
  setElements(ws: WindowState, elements: WindowElements | undefined): void {
    this.#at(ws).update(elements === undefined || elements.values.length === 0 ? undefined : elements);
  }

  /** Adds an element to `ws`. */
  addElement(ws: WindowState, value: unknown, timestamp: number): void {
    const cell = this.#at(ws);
    const elements = cell.value() as WindowElements | undefined;
    if (elements === undefined) {
      cell.update({ values: [value], times: [timestamp] });
      return;
    }
    elements.values.push(value);
    elements.times.push(timestamp);
    cell.update(elements); // records the change for incremental checkpoints
  }

  /** Empties `ws`. */
  clear(ws: WindowState): void {
    this.#at(ws).clear();
  }
}
