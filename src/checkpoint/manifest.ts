/**
 * The manifest: the one blob that lists a pipeline's complete snapshots (docs/architecture.md §4).
 * A snapshot is written first and listed last, so a reader sees a checkpoint whole or not at all.
 * Pure functions over the list; the I/O is the backend's.
 */

import type { OpenedEnvelope } from './envelope.js';
import type { StoredSnapshotInfo } from './backend-types.js';
import type { Snapshot } from './snapshot.js';

/** The blob key of the manifest. */
export const MANIFEST_KEY = 'manifest';

/** One listed snapshot: what `list()` reports, as stored in the manifest. */
export interface ManifestEntry extends StoredSnapshotInfo {}

/** A copy of an entry for callers, so that they cannot change the cached manifest. */
export function toInfo(e: ManifestEntry): StoredSnapshotInfo {
  return { ...e };
}

/** The envelope header of a stored snapshot: enough to rebuild its manifest entry without its body. */
export function headerOf(s: Snapshot): Record<string, unknown> {
  return {
    type: 'snapshot',
    pipelineId: s.pipelineId,
    checkpointId: s.checkpointId,
    kind: s.kind,
    ...(s.name !== undefined ? { name: s.name } : {}),
    createdAt: s.createdAt,
    ...(s.parentCheckpointId !== undefined ? { parentCheckpointId: s.parentCheckpointId } : {}),
  };
}

/**
 * The manifest entry of a stored snapshot, read from its envelope header, or undefined when the
 * blob under `key` does not hold that snapshot. `chainLength` is left 0: `chainLengths` sets it.
 */
export function entryFromHeader(key: string, envelope: OpenedEnvelope, prefix: string): ManifestEntry | undefined {
  const h = envelope.header;
  if (h.type !== 'snapshot' || typeof h.checkpointId !== 'number' || `${prefix}${h.checkpointId}` !== key)
    return undefined;
  return {
    checkpointId: h.checkpointId,
    kind: h.kind === 'savepoint' ? 'savepoint' : 'checkpoint',
    ...(typeof h.name === 'string' ? { name: h.name } : {}),
    createdAt: typeof h.createdAt === 'number' ? h.createdAt : NaN,
    ...(typeof h.parentCheckpointId === 'number' ? { parentCheckpointId: h.parentCheckpointId } : {}),
    chainLength: 0,
    byteLength: envelope.byteLength,
    checksum: envelope.checksum,
  };
}

/** Sorts rebuilt entries by id and sets each one's distance to its full base. */
export function withChainLengths(entries: ManifestEntry[]): ManifestEntry[] {
  entries.sort((a, b) => a.checkpointId - b.checkpointId);
  for (const e of entries) {
    const parent = entries.find((p) => p.checkpointId === e.parentCheckpointId);
    (e as { chainLength: number }).chainLength = parent === undefined ? 0 : parent.chainLength + 1;
  }
  return entries;
}
