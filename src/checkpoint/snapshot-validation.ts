/**
 * Validation of a snapshot before it is stored and of its structure after it is read, with errors
 * that name the offending field.
 */

import { InvalidOptionError } from '../core/errors.js';
import { SNAPSHOT_FORMAT_VERSION, type Snapshot } from './snapshot.js';

/** Refuses a pipeline id that cannot name storage. */
export function checkPipelineId(pipelineId: unknown): void {
  if (typeof pipelineId !== 'string' || pipelineId.length === 0 || pipelineId.length > 200) {
    throw new InvalidOptionError('pipelineId', pipelineId, 'must be a non-empty string of at most 200 characters');
  }
}

/** Calls `invalid` with the first thing that keeps `s` from being stored for `pipelineId`. */
export function validateSnapshot(
  s: Snapshot,
  pipelineId: string,
  invalid: (reason: string, path?: string) => never,
): void {
  if (typeof s !== 'object' || s === null) invalid('a snapshot must be an object');
  if (s.formatVersion !== SNAPSHOT_FORMAT_VERSION) {
    invalid(
      `formatVersion must be SNAPSHOT_FORMAT_VERSION (${SNAPSHOT_FORMAT_VERSION}), got ${String(s.formatVersion)}`,
    );
  }
  if (s.pipelineId !== pipelineId)
    invalid(`it belongs to pipeline ${JSON.stringify(s.pipelineId)}, not to this backend's`);
  if (!Number.isSafeInteger(s.checkpointId) || s.checkpointId < 0)
    invalid(`checkpointId must be a safe integer >= 0, got ${String(s.checkpointId)}`);
  if (s.kind !== 'checkpoint' && s.kind !== 'savepoint')
    invalid(`kind must be 'checkpoint' or 'savepoint', got ${String(s.kind)}`);
  if (s.kind === 'savepoint' && (typeof s.name !== 'string' || s.name.length === 0))
    invalid('a savepoint needs a non-empty name');
  if (s.name !== undefined && typeof s.name !== 'string') invalid('name must be a string');
  if (typeof s.createdAt !== 'number' || !Number.isFinite(s.createdAt))
    invalid(`createdAt must be a finite number, got ${String(s.createdAt)}`);
  const problem = shapeProblem(s);
  if (problem !== undefined) invalid(problem);
}

/** Checks the structure that restore relies on; values inside `state` are the operators' business. */
export function shapeProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the snapshot is not an object';
  const s = body as Record<string, unknown>;
  for (const field of ['operators', 'sources', 'watermarks']) {
    const v = s[field];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${field} must be an object`;
  }
  const operators = s.operators as Record<string, unknown>;
  for (const uid of Object.keys(operators)) {
    const op = operators[uid] as Record<string, unknown> | null;
    const where = `operators[${JSON.stringify(uid)}]`;
    if (typeof op !== 'object' || op === null) return `${where} must be an object`;
    if (!Number.isSafeInteger(op.stateVersion) || (op.stateVersion as number) < 0)
      return `${where}.stateVersion must be an integer >= 0`;
    if (op.keyed === undefined) continue;
    if (typeof op.keyed !== 'object' || op.keyed === null) return `${where}.keyed must be an object`;
    const keyed = op.keyed as Record<string, Record<string, unknown>>;
    for (const name of Object.keys(keyed)) {
      const t = keyed[name];
      const at = `${where}.keyed[${JSON.stringify(name)}]`;
      if (typeof t !== 'object' || t === null) return `${at} must be an object`;
      if (t.kind !== 'full' && t.kind !== 'delta') return `${at}.kind must be 'full' or 'delta'`;
      if (!Array.isArray(t.keys) || !Array.isArray(t.values)) return `${at} needs keys and values arrays`;
      if (t.keys.length !== t.values.length) return `${at} has ${t.keys.length} keys but ${t.values.length} values`;
      if (t.kind === 'delta' && !Array.isArray(t.deletes)) return `${at} (a delta) needs a deletes array`;
    }
  }
  const watermarks = s.watermarks as Record<string, unknown>;
  for (const id of Object.keys(watermarks)) {
    if (typeof watermarks[id] !== 'number') return `watermarks[${JSON.stringify(id)}] must be a number`;
  }
  return undefined;
}
