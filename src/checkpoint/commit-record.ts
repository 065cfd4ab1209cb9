/**
 * The commit record: a small blob a backend keeps beside its snapshots and manifest, so that two
 * facts survive whatever happens to them (docs/checkpoints.md §3):
 * - the highest checkpoint id ever used, so that ids never go backwards or repeat, even when the
 *   manifest is garbage and the latest snapshot is unreadable (a sink that is idempotent by id
 *   would otherwise drop a different transaction stored under a reused id);
 * - the highest checkpoint whose output sinks may have committed. It is written before the sinks
 *   are told to commit, so a restore that has to fall back past that checkpoint knows that the
 *   replay would commit its results a second time.
 *
 * Both are also derived from every `snapshot-<id>` blob key present, readable or not, so a lost or
 * damaged record errs on the safe side: a damaged record counts every stored checkpoint as committed.
 */

import { EnvelopeError, encodeEnvelope, openEnvelope } from './envelope.js';

/** What the commit record holds. Ids are 0 when nothing was ever used or committed. */
export interface CommitRecord {
  /** The highest checkpoint id ever stored or committed for the pipeline. */
  readonly highestCheckpointId: number;
  /** The highest checkpoint whose results sinks were told to commit (so may be visible outside). */
  readonly committedCheckpointId: number;
}

/** The blob key of the commit record (a file name in the file backend). */
export const COMMIT_RECORD_KEY = 'commit-record';

/** The blob key prefix of snapshots: `snapshot-<checkpointId>`. */
export const SNAPSHOT_PREFIX = 'snapshot-';

/** The blob key of a checkpoint's snapshot. */
export function blobKey(checkpointId: number): string {
  return `${SNAPSHOT_PREFIX}${checkpointId}`;
}

/** The checkpoint id a `snapshot-<id>` key names, or undefined for any other key. */
export function checkpointIdOfKey(key: string): number | undefined {
  if (!key.startsWith(SNAPSHOT_PREFIX)) return undefined;
  const id = Number(key.slice(SNAPSHOT_PREFIX.length));
  return Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/** The bytes of a commit record. */
export function encodeCommitRecord(pipelineId: string, record: CommitRecord): Uint8Array {
  return encodeEnvelope({ type: 'commit-record', pipelineId }, { ...record });
}

/**
 * Reads a commit record; undefined when it is damaged or belongs to something else, in which case
 * the caller falls back on what the blob keys say.
 */
export function decodeCommitRecord(bytes: Uint8Array, pipelineId: string): CommitRecord | undefined {
  try {
    const envelope = openEnvelope(bytes);
    if (envelope.header.type !== 'commit-record' || envelope.header.pipelineId !== pipelineId) return undefined;
    const body = envelope.body() as Partial<CommitRecord> | null;
    const highest = body?.highestCheckpointId;
    const committed = body?.committedCheckpointId;
    if (!Number.isSafeInteger(highest) || !Number.isSafeInteger(committed)) return undefined;
    return { highestCheckpointId: highest!, committedCheckpointId: committed! };
  } catch (error) {
    if (error instanceof EnvelopeError) return undefined;
    throw error;
  }
}

/**
 * The record as the store says it, made safe by the blob keys: no stored snapshot has an id above
 * `highestCheckpointId`, and without a readable record every stored snapshot may have been committed.
 */
export function reconcileCommitRecord(record: CommitRecord | undefined, keys: readonly string[]): CommitRecord {
  let highestKey = 0;
  for (const key of keys) highestKey = Math.max(highestKey, checkpointIdOfKey(key) ?? 0);
  if (record === undefined) return { highestCheckpointId: highestKey, committedCheckpointId: highestKey };
  return {
    highestCheckpointId: Math.max(record.highestCheckpointId, highestKey),
    committedCheckpointId: record.committedCheckpointId,
  };
}
