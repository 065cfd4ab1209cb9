/**
 * Retention and chain planning: pure functions over the manifest, so that they are tested without
 * storage and read in one place.
 */

import type { SnapshotPlan } from './backend-types.js';
import type { ManifestEntry } from './manifest.js';

/**
 * Retention: the newest `keep` checkpoints, every savepoint, and every checkpoint a retained
 * incremental checkpoint builds on (at most maxChainLength more). Savepoints do not count towards
 * `keep` (Flink's FLINK-6328: a retained savepoint must never leave zero retained checkpoints);
 * `keep` is Flink's `state.checkpoints.num-retained`, with a default of 3 instead of 1 so that a
 * damaged latest checkpoint still leaves something to fall back to.
 */
export function retain(entries: readonly ManifestEntry[], keep: number): ManifestEntry[] {
  const checkpoints = entries.filter((e) => e.kind === 'checkpoint');
  const kept = new Set<number>(checkpoints.slice(-keep).map((e) => e.checkpointId));
  for (const e of entries) if (e.kind === 'savepoint') kept.add(e.checkpointId);
  const byId = new Map(entries.map((e) => [e.checkpointId, e]));
  for (const id of [...kept]) {
    for (let e = byId.get(id); e?.parentCheckpointId !== undefined; e = byId.get(e.parentCheckpointId))
      kept.add(e.parentCheckpointId);
  }
  return entries.filter((e) => kept.has(e.checkpointId));
}

/** Whether the next checkpoint may build on the latest one without passing `maxChainLength`. */
export function planNext(manifest: readonly ManifestEntry[], maxChainLength: number): SnapshotPlan {
  const latest = manifest[manifest.length - 1];
  if (latest === undefined || latest.chainLength + 1 > maxChainLength) return { mode: 'full' };
  return { mode: 'incremental', parentCheckpointId: latest.checkpointId };
}
