/**
 * Checkpoints of a parallel segment, and restoring them at another parallelism (Flink's rescaling
 * from a savepoint): every key's state and timers land in the subtask that now owns its key group.
 */
import { describe, expect, it } from 'vitest';
import { tap } from 'rxjs';
import {
  boundedOutOfOrderness,
  exactlyOnceSink,
  fromIterable,
  keyBy,
  memoryBackend,
  startCheckpointing,
  withEventTimeBatches,
  type CheckpointBackend,
} from '../../src/index.js';
import { nodeWorkers } from '../../src/node/index.js';
import { parallel, type Segment } from '../../src/parallel/index.js';
import { events } from './run.js';
import { timedTotals, tumblingSums, type Event } from './segments.js';

const input = events(3_000, 40);

/**
 * Runs `segment` at `parallelism` from the backend's last checkpoint; with `stopAt`, takes a
 * checkpoint once that many events were read in this run and stops the pipeline when it completed (what it
 * emitted after the checkpoint is never committed). The sink's commits go to `commits` by checkpoint
 * id: a restore commits again the transactions it cannot know were committed (as Flink's
 * two-phase commit sinks recover), so a commit must be idempotent per id.
 */
async function run(
  backend: CheckpointBackend,
  segment: Segment<Event, string, unknown>,
  parallelism: number,
  commits: Map<number, string[]>,
  stopAt?: number,
): Promise<void> {
  const checkpoints = await startCheckpointing({ backend, interval: 1e9 });
  let read = 0;
  let requested: Promise<unknown> | undefined;
  const pipeline = checkpoints
    .source('events', fromIterable(input, { from: checkpoints.position('events'), batchSize: 50, yieldAfterMs: 0 }))
    .pipe(
      tap((batch) => {
        read += batch.length;
        if (stopAt !== undefined && read >= stopAt) requested ??= checkpoints.checkpoint();
      }),
      withEventTimeBatches({ timestamp: (e: Event) => e.at, watermarks: boundedOutOfOrderness(300), uid: 'entry' }),
      keyBy((e: Event) => e.key),
      parallel(segment, { workers: nodeWorkers(), parallelism, bufferSize: 200, credits: 2 }),
      exactlyOnceSink<unknown, unknown>(
        async (values, id) => {
          commits.set(
            id,
            values.map((v) => JSON.stringify(v)),
          );
        },
        { uid: 'sink' },
      ),
    );
  await new Promise<void>((resolve, reject) => {
    const subscription = pipeline.subscribe({ error: reject, complete: () => resolve() });
    if (stopAt === undefined) return;
    const wait = (): void => {
      if (requested === undefined) setTimeout(wait, 10);
      else
        requested.then(() => {
          subscription.unsubscribe();
          resolve();
        }, reject);
    };
    wait();
  });
  if (stopAt === undefined) await checkpoints.whenFinished();
  else {
    checkpoints.whenFinished().catch(() => {}); // stopped on purpose: PipelineStoppedError
    checkpoints.stop();
  }
}

const committed = (commits: Map<number, string[]>): string[] => [...commits.values()].flat().sort();

describe('parallel: checkpoints and rescaling (N = 4 → 2 → 3)', () => {
  for (const [name, segment] of [
    ['keyedProcess: keyed state and event-time timers', timedTotals],
    ['tumbling windows: window contents and their timers', tumblingSums],
  ] as const) {
    it(`${name}: committed results equal those of a run with no restarts`, async () => {
      const seg = segment as Segment<Event, string, unknown>;
      const once = new Map<number, string[]>();
      await run(memoryBackend({ pipelineId: 'once' }), seg, 2, once);
      const expected = committed(once);
      expect(expected.length).toBeGreaterThan(100);
      const backend = memoryBackend({ pipelineId: 'rescaled' });
      const commits = new Map<number, string[]>();
      await run(backend, seg, 4, commits, 1_000);
      await run(backend, seg, 2, commits, 1_000); // 1,000 more events
      const stored = await backend.load();
      const stoppedAt = (stored!.sources['events'] as { index: number }).index;
      expect(stoppedAt).toBeGreaterThanOrEqual(2_000); // stopped mid-stream, so the third run resumes there
      expect(stoppedAt).toBeLessThan(3_000);
      await run(backend, seg, 3, commits);
      expect(committed(commits)).toEqual(expected);
    }, 300_000); // four pipelines, each starting its workers (tsx compiles the library in each)
  }
});
