import type { StateReport } from './frames.js';

/**
 * Merges what the subtasks reported at one barrier into one state per uid: their keyed tables are
 * of disjoint key groups, so the union is the operator's whole keyed state; the rest of the state is
 * the first subtask's, and the watermark the smallest.
 *
 * @example
 * ```ts
 * // internal: for (const r of mergeReports(bySubtask)) checkpoint.report(r.uid, r.state, r.operator, r.watermark);
 * ```
 */
export function mergeReports(bySubtask: readonly (readonly StateReport[])[]): StateReport[] {
  const merged = new Map<string, StateReport>();
  for (const reports of bySubtask)
    for (const report of reports) {
      const before = merged.get(report.uid);
      if (before === undefined) {
        merged.set(report.uid, report);
        continue;
      }
      const keyed =
        before.state.keyed === undefined && report.state.keyed === undefined
          ? undefined
          : { ...before.state.keyed, ...report.state.keyed };
      merged.set(report.uid, {
        uid: report.uid,
        operator: before.operator,
        state: keyed === undefined ? before.state : { ...before.state, keyed },
        watermark:
          before.watermark === undefined || report.watermark === undefined
            ? (before.watermark ?? report.watermark)
            : Math.min(before.watermark, report.watermark),
      });
    }
  return [...merged.values()];
}
