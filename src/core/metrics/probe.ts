/**
 * The mutable counters of one operator, which its adapter updates once per batch (never per record):
 * a batch's length added to a number field, and the batch's last watermark kept. When the pipeline
 * has no metrics, nothing reads them, and the adapter pays those few field writes per batch; once a
 * `MetricsCollector` adopts the probe (as the `pipeline` control element passes the operator), the
 * adapter also reads the clock around the operator's processing, for the busy time.
 */
import type { BatchCounter, ProbedElement } from './counting.js';
import type { OperatorKind } from './types.js';

/**
 * The counters of one node of the job graph, which its adapter updates per batch (docs/monitoring.md §3).
 * The adapters of this library create and attach them; an engine operator's (`fromStreamOperator`)
 * is made when a collector adopts the operator (counting.ts).
 */
export class OperatorProbe implements BatchCounter {
  readonly name: string;
  readonly kind: OperatorKind;
  readonly uid: string | null;
  /** The engine operator, read when sampled (state size, watermark, late counters); null for none. */
  readonly operator: object | null;
  recordsIn = 0;
  recordsOut = 0;
  busyMs = 0;
  /** Waiting for demand (sources and async stages update it); sync operators never wait. */
  backPressuredMs = 0;
  inputWatermark = -Infinity;
  outputWatermark = -Infinity;
  /** The collector's clock once adopted; null while no collector reads this probe. */
  clock: (() => number) | null = null;
  /**
   * Called before a sample reads the fields, at processing time `now`: a probe over counters kept
   * elsewhere (a source's or an async stage's `StageStats`) copies them here.
   */
  refresh: ((now: number) => void) | null = null;
  /** The probes of the operator's parallel subtasks, when it runs in several; null otherwise. */
  subtasks: readonly OperatorProbe[] | null = null;

  constructor(name: string, kind: OperatorKind, uid: string | null, operator: object | null) {
    this.name = name;
    this.kind = kind;
    this.uid = uid;
    this.operator = operator;
  }

  /** Call before processing a batch; pass what it returns to `end`. */
  begin(): number {
    return this.clock === null ? 0 : this.clock();
  }

  /** Counts a processed batch of elements: the records in, the watermark, busy time since `start`. */
  end(start: number, batch: readonly ProbedElement[]): void {
    this.recordsIn += recordCount(batch, this, true);
    if (this.clock !== null) this.busyMs += this.clock() - start;
  }

  /** Counts an emitted batch of elements: the records out, the watermark. */
  emitted(out: readonly ProbedElement[]): void {
    this.recordsOut += recordCount(out, this, false);
  }

  /** Counts `values` plain values in and the busy time since `start` (fused chains, sources). */
  endValues(start: number, values: number): void {
    this.recordsIn += values;
    if (this.clock !== null) this.busyMs += this.clock() - start;
  }

  /** Counts `values` plain values out (a fused chain's results handed to the subscriber). */
  emittedValues(values: number): void {
    this.recordsOut += values;
  }
}

/**
 * The records of a batch, per batch rather than per element: its length minus the non-record
 * elements at its end (a batch ends with its watermark; markers travel in batches of their own),
 * whose last watermark is kept. A watermark in the middle of a batch, which no operator of this
 * library emits, would be counted as a record.
 */
function recordCount(batch: readonly ProbedElement[], probe: OperatorProbe, input: boolean): number {
  let n = batch.length;
  let watermarkSeen = false;
  while (n > 0) {
    const last = batch[n - 1]!;
    if (last.kind === 'record') break;
    if (last.kind === 'watermark' && !watermarkSeen) {
      watermarkSeen = true;
      if (input) probe.inputWatermark = last.timestamp!;
      else probe.outputWatermark = last.timestamp!;
    }
    n--;
  }
  return n;
}

const probes = new WeakMap<object, OperatorProbe>();

/** Gives `operator` its probe, so that a collector finds it when the pipeline control element passes. */
export function attachProbe(operator: object, probe: OperatorProbe): OperatorProbe {
  probes.set(operator, probe);
  return probe;
}

/** The probe an adapter attached to `operator`, if any. */
export function probeOf(operator: object): OperatorProbe | undefined {
  return probes.get(operator);
}

/**
 * A probe for an engine operator, named `name` if given, else by its `operatorName` (a string a
 * minifier keeps), else after its class without the `Operator` suffix (`WindowOperator` → `Window`),
 * under its uid, and attached to it.
 */
export function probeFor(operator: object, kind: OperatorKind = 'operator', name?: string): OperatorProbe {
  const given = name ?? (operator as { operatorName?: unknown }).operatorName;
  const className: string = operator.constructor?.name || 'Operator';
  const named =
    typeof given === 'string' && given !== ''
      ? given
      : className.length > 8 && className.endsWith('Operator')
        ? className.slice(0, -8)
        : className;
  const uid = (operator as { uid?: unknown }).uid;
  return attachProbe(operator, new OperatorProbe(named, kind, typeof uid === 'string' ? uid : null, operator));
}
