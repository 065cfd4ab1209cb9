/** The entry point of checkpointing: restores, then hands out the coordinator. */
import { InvalidOptionError } from '../core/errors.js';
import type { CheckpointingOptions } from './checkpointing-options.js';
import { Checkpointing } from './coordinator.js';
import { chooseRestore } from './restore-choice.js';

/**
 * Starts checkpointing a pipeline: loads the snapshot to restore (unless `restore: false`), and
 * returns the coordinator through which the pipeline's sources are declared.
 *
 * @example
 * ```ts
 * // Restores from the latest checkpoint in `directory`, if any, then checkpoints every 5 s.
 * const checkpoints = await startCheckpointing({ backend: fileBackend({ directory, pipelineId: 'wordcount' }), interval: 5_000 });
 * // Each line of the file is "<epoch ms> <word>"; after a restore, reading resumes at the byte after the checkpoint.
 * checkpoints.source('lines', readTextFileWithOffsets(path, { from: checkpoints.position('lines') })).pipe(
 *   withEventTimeBatches({ timestamp: (l) => Number(l.text.split(' ')[0]), watermarks: boundedOutOfOrderness(2_000), uid: 'entry' }),
 *   keyBy((l) => l.text.split(' ')[1]!),
 *   window(tumblingEventTimeWindows(5_000), { uid: 'windows' }).aggregate(count()),
 *   exactlyOnceSink((results, checkpointId) => store.commit(checkpointId, results), { uid: 'sink' }),
 * ).subscribe();
 * ```
 */
export async function startCheckpointing(options: CheckpointingOptions): Promise<Checkpointing> {
  const backend = options.backend;
  if (backend === null || typeof backend !== 'object' || typeof backend.save !== 'function') {
    throw new InvalidOptionError(
      'backend',
      backend,
      'must be a checkpoint backend (memoryBackend, fileBackend, openIndexedDbBackend)',
    );
  }
  const { restored, lastId } = await chooseRestore(backend, options);
  return new Checkpointing(options, restored, lastId);
}
