/**
 * A snapshot as bytes: the envelope every backend stores, and the mapping of the envelope's
 * problems to snapshot errors, written once for the backends and for `importSnapshot`.
 */

import { encodeEnvelope, EnvelopeError, openEnvelope } from './envelope.js';
import {
  CorruptSnapshotError,
  IncompatibleSnapshotError,
  InvalidSnapshotError,
  UnsupportedValueError,
  type SnapshotRef,
} from './errors.js';
import { headerOf } from './manifest.js';
import { isIncremental, keyGroupPruner, SNAPSHOT_FORMAT_VERSION, type Snapshot } from './snapshot.js';
import { checkKeyGroupRange, type KeyGroupRange } from '../core/state-snapshot.js';
import { shapeProblem, validateSnapshot } from './snapshot-validation.js';

/**
 * The snapshot error for an `EnvelopeError` met while reading the blob named by `ref`: a newer
 * format is `IncompatibleSnapshotError`, anything else `CorruptSnapshotError`. Other errors are
 * returned unchanged.
 */
export function envelopeError(error: unknown, ref: SnapshotRef): unknown {
  if (!(error instanceof EnvelopeError)) return error;
  const p = error.problem;
  return p.kind === 'incompatible'
    ? new IncompatibleSnapshotError(ref, p.version, SNAPSHOT_FORMAT_VERSION)
    : new CorruptSnapshotError(ref, p.reason, p.cause === undefined ? undefined : { cause: p.cause });
}

/**
 * The stored bytes of a validated full or incremental snapshot. A value that is not plain data is
 * reported through `invalid`, with its path.
 */
export function encodeSnapshot(snapshot: Snapshot, invalid: (reason: string, path?: string) => never): Uint8Array {
  try {
    return encodeEnvelope(headerOf(snapshot), snapshot, { columns: true });
  } catch (error) {
    if (error instanceof UnsupportedValueError)
      return invalid(`it holds ${error.what}, which is not plain data`, error.path);
    throw error;
  }
}

/**
 * The bytes a backend stores for a full snapshot: the same format everywhere, so a savepoint can
 * move between backends and platforms (downloaded from a browser, loaded by a Node process).
 * Throws `InvalidSnapshotError` (backend 'bytes') for a snapshot that cannot be stored, including
 * an incremental one: load it from its backend first, which resolves its chain.
 *
 * @example
 * const savepoint = await browserBackend.load({ name: 'before-upgrade' });
 * const bytes = exportSnapshot(savepoint!); // offer as a download, send to a server...
 * await fileBackend({ directory, pipelineId: savepoint!.pipelineId }).save(importSnapshot(bytes));
 */
export function exportSnapshot(snapshot: Snapshot): Uint8Array {
  const ref = (): SnapshotRef => ({
    pipelineId: String(snapshot?.pipelineId),
    checkpointId: Number.isSafeInteger(snapshot?.checkpointId) ? snapshot.checkpointId : undefined,
    backend: 'bytes',
  });
  const invalid = (reason: string, path?: string): never => {
    throw new InvalidSnapshotError(ref(), reason, path);
  };
  validateSnapshot(snapshot, snapshot?.pipelineId, invalid);
  if (isIncremental(snapshot)) invalid('it is incremental; export the full snapshot that load() returns');
  const { parentCheckpointId: _unused, ...full } = snapshot;
  return encodeSnapshot(full, invalid);
}

/**
 * Reads bytes made by `exportSnapshot` (or a snapshot file of the file backend). Throws
 * `CorruptSnapshotError` or `IncompatibleSnapshotError` (backend 'bytes') naming what it could.
 * With `keyGroups`, only the keyed tables of that range of key groups are decoded (`keyGroupPruner`).
 *
 * @example
 * const savepoint = importSnapshot(new Uint8Array(await file.arrayBuffer()));
 * await backend.save(savepoint);
 */
export function importSnapshot(
  bytes: Uint8Array,
  options: { readonly keyGroups?: KeyGroupRange | undefined } = {},
): Snapshot {
  checkKeyGroupRange(options.keyGroups, 'keyGroups');
  let ref: SnapshotRef = { pipelineId: '(unknown)', backend: 'bytes', blob: 'bytes' };
  try {
    const envelope = openEnvelope(bytes);
    const h = envelope.header;
    ref = {
      pipelineId: typeof h.pipelineId === 'string' ? h.pipelineId : '(unknown)',
      checkpointId: typeof h.checkpointId === 'number' ? h.checkpointId : undefined,
      backend: 'bytes',
      blob: 'bytes',
    };
    if (h.type !== 'snapshot')
      throw new CorruptSnapshotError(ref, `the bytes hold a ${String(h.type)}, not a snapshot`);
    const body = envelope.body(options.keyGroups === undefined ? undefined : keyGroupPruner(options.keyGroups));
    const problem = shapeProblem(body);
    if (problem !== undefined) throw new CorruptSnapshotError(ref, problem);
    if (isIncremental(body as Snapshot))
      throw new CorruptSnapshotError(ref, 'it is an incremental link of a chain, not a full snapshot');
    return { ...(body as Snapshot), formatVersion: envelope.formatVersion };
  } catch (error) {
    throw envelopeError(error, ref);
  }
}
