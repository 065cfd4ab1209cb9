import { OperatorProbe } from '../core/metrics/probe.js';
import type { OperatorKind } from '../core/metrics/types.js';
import type { StageStats } from './monitor.js';

/**
 * A job-graph probe over the counters a source or async stage already keeps for its `FlowMonitor`
 * (docs/monitoring.md): nothing more is counted on the path of records; a sample copies records in
 * and out and the time spent unable to pull (a source's backpressure) from `stats`. Internal: the
 * sources and async stages call it.
 */
export function stageProbe(stats: StageStats, kind: OperatorKind): OperatorProbe {
  const probe = new OperatorProbe(stats.name, kind, null, null);
  probe.refresh = (now) => {
    const m = stats.read(now);
    probe.recordsIn = m.recordsIn;
    probe.recordsOut = m.recordsOut;
    probe.backPressuredMs = m.backPressuredTimeMs;
  };
  return probe;
}
