/**
 * The assignment as stored: key `assignment` in the tasks bucket, written only by the leader, with
 * compare-and-set on the revision it read so that a leader that lost its lease cannot overwrite
 * the assignment of the next one.
 */

import type { KV } from '@nats-io/kv';
import type { Assignment } from './assignment.js';

const KEY = 'assignment';

/** The stored assignment and the revision to compare against when replacing it. */
export interface StoredAssignment {
  readonly assignment: Assignment;
  /** 0 when there is none yet. */
  readonly revision: number;
}

/**
 * Reads the assignment (generation 0 with no owners when none was written yet).
 *
 * @example
 * // internal: const { assignment } = await readAssignment(buckets.tasks);
 */
export async function readAssignment(kv: KV): Promise<StoredAssignment> {
  const entry = await kv.get(KEY);
  if (entry === null || entry.operation !== 'PUT') return { assignment: { generation: 0, owners: {} }, revision: 0 };
  return { assignment: entry.json() as Assignment, revision: entry.revision };
}

/**
 * Writes the next generation over the one read at `revision`; rejects if another write came first.
 *
 * @example
 * // internal: await writeAssignment(buckets.tasks, { generation: 2, owners }, stored.revision);
 */
export async function writeAssignment(kv: KV, next: Assignment, revision: number): Promise<number> {
  const data = JSON.stringify(next);
  return revision === 0 ? kv.create(KEY, data) : kv.update(KEY, data, revision);
}
