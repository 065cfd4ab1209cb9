/**
 * What an adapter counts a batch into (docs/monitoring.md §3): nothing until a `MetricsCollector`
 * adopts the operator (as the `pipeline` control element passes it, before any record of that
 * subscription), then the `OperatorProbe` the collector made for it. Why not a probe from the start:
 * a pipeline without metrics never reads one, and the probe's class and counting code were about
 * 0.25 KB brotli of every bundle with an engine operator; here the adapter pays a call to an empty
 * method per batch until adopted. The collector brings the probe (collector.ts `join`).
 */
import type { OperatorKind } from './types.js';

/**
 * What a probe reads of an element: its kind, and a watermark's timestamp. Structural, so that the
 * element types (which import the checkpoint contract, which imports the collector) are not imported here.
 */
export interface ProbedElement {
  readonly kind: string;
  readonly timestamp?: number;
}

/** The counting methods of an `OperatorProbe` that adapters call, per batch. */
export interface BatchCounter {
  /** Call before processing a batch; pass what it returns to `end`. */
  begin(): number;
  /** Counts a processed batch of elements: the records in, the watermark, busy time since `start`. */
  end(start: number, batch: readonly ProbedElement[]): void;
  /** Counts an emitted batch of elements: the records out, the watermark. */
  emitted(out: readonly ProbedElement[]): void;
  /** Counts `values` plain values in and the busy time since `start` (fused chains, sources). */
  endValues(start: number, values: number): void;
  /** Counts `values` plain values out (a fused chain's results handed to the subscriber). */
  emittedValues(values: number): void;
}

/** What an adapter counts into while no collector adopted its operator: nothing. */
export const UNCOUNTED: BatchCounter = Object.freeze({
  begin: () => 0,
  end() {},
  emitted() {},
  endValues() {},
  emittedValues() {},
});

/** How a collector adopts an operator: the node's name and kind, and where its probe goes. */
export interface Adoption {
  /** The node's name; undefined: the operator's (`probeFor`). */
  readonly name: string | undefined;
  readonly kind: OperatorKind;
  /** Hands the adapter the probe it counts into from now on. */
  readonly adopt: (counter: BatchCounter) => void;
}

const adoptions = new WeakMap<object, Adoption>();

/**
 * Lets a collector adopt `operator` (collector.ts `join`): `adopt` then receives the probe the
 * adapter counts into. `name` names a node that is not the operator's own (a fused chain).
 */
export function countWhenAdopted(
  operator: object,
  adopt: (counter: BatchCounter) => void,
  name?: string,
  kind: OperatorKind = 'operator',
): void {
  adoptions.set(operator, { name, kind, adopt });
}

/** The adoption `countWhenAdopted` left for `operator`, taken: a collector adopts an operator once. */
export function takeAdoption(operator: object): Adoption | undefined {
  const adoption = adoptions.get(operator);
  adoptions.delete(operator);
  return adoption;
}
