import { OperatorProbe } from './probe.js';
import type { OperatorKind } from './types.js';

/**
 * The counters a source or async stage already keeps for its `FlowMonitor` (flow/monitor.ts's
 * `StageStats`), as a probe reads them. Declared here, not imported, because the core sits below
 * flow/ (docs/architecture.md §7).
 */
export interface StageCounters {
  /** The source's or stage's name in the job graph. */
  readonly name: string;
  /** Its totals, with time blocked counted up to `now` (processing time). */
  read(now: number): { readonly recordsIn: number; readonly recordsOut: number; readonly backPressuredTimeMs: number };
}

/**
 * A job-graph probe over the counters a source or async stage already keeps (docs/monitoring.md):
 * nothing more is counted on the path of records; a sample copies records in and out and the time
 * spent unable to pull (a source's backpressure) from `stats`. Internal: async stages call it, and a
 * collector calls it for a checkpointed source when the source joins the graph (collector.ts
 * `joinSource`), so that a pipeline without metrics makes no probe for its sources.
 */
export function stageProbe(stats: StageCounters, kind: OperatorKind): OperatorProbe {
  const probe = new OperatorProbe(stats.name, kind, null, null);
  probe.refresh = (now) => {
    const m = stats.read(now);
    probe.recordsIn = m.recordsIn;
    probe.recordsOut = m.recordsOut;
    probe.backPressuredMs = m.backPressuredTimeMs;
  };
  return probe;
}
