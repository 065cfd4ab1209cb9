/** Runs the killable segment under `withRestarts`, failing workers where a plan says, for the failover tests. */
import {
  boundedOutOfOrderness,
  exactlyOnceSink,
  fromIterable,
  keyBy,
  startCheckpointing,
  withEventTimeBatches,
  type CheckpointBackend,
} from '../../src/index.js';
import { subtaskForKeyGroup } from '../../src/core/key-group-assignment.js';
import { keyGroupOf } from '../../src/core/keys.js';
import { nodeWorkers, type NodeWorkersOptions } from '../../src/node/index.js';
import {
  parallel,
  withRestarts,
  type ParallelOptions,
  type RestartStrategy,
  type WorkerSpawner,
} from '../../src/parallel/index.js';
import { KILL_VARIABLE, killableTotals, type KillPlan } from './failover-segments.js';
import type { Event } from './segments.js';

const PARALLELISM = 2;

/** A failure to cause in one run: subtask `subtask`'s worker fails as `plan` says. */
export interface PlannedKill extends KillPlan {
  readonly subtask: number;
}

/** What a failover run committed, by checkpoint id, and how it ended. */
export interface FailoverResult {
  readonly commits: Map<number, string[]>;
  readonly restarts: number;
  readonly error: unknown;
}

/** The records of `events` that subtask `subtask` of `PARALLELISM` receives. */
export function shareOf(events: readonly Event[], subtask: number): number {
  return events.filter((e) => subtaskForKeyGroup(128, PARALLELISM, keyGroupOf(e.key)) === subtask).length;
}

/** Node workers, the one of subtask `kill.subtask` spawned with its kill plan. */
function killableWorkers(options: NodeWorkersOptions, kill: PlannedKill | undefined): WorkerSpawner {
  const base = nodeWorkers(options);
  return {
    defaultParallelism: base.defaultParallelism,
    spawn(subtask) {
      if (kill?.subtask === subtask) process.env[KILL_VARIABLE] = JSON.stringify({ how: kill.how, after: kill.after });
      try {
        return base.spawn(subtask);
      } finally {
        delete process.env[KILL_VARIABLE];
      }
    },
  };
}

/**
 * Runs `input` through `keyBy` → `parallel(killableTotals)` → `exactlyOnceSink` under `withRestarts`
 * with `strategy`, from `backend`'s last checkpoint at each restart; run `n` (from 0) fails as
 * `plan(n, rest)` says, `rest` being the records it has left to read.
 */
export async function runWithKills(
  backend: CheckpointBackend,
  input: readonly Event[],
  strategy: RestartStrategy,
  plan: (run: number, rest: readonly Event[]) => PlannedKill | undefined,
  options: {
    parallel?: Partial<ParallelOptions>;
    workers?: NodeWorkersOptions;
    onRestart?: (restart: number, cause: unknown) => void;
  } = {},
): Promise<FailoverResult> {
  const commits = new Map<number, string[]>();
  let run = 0;
  let restarts = 0;
  const stream = withRestarts(
    async () => {
      const checkpoints = await startCheckpointing({ backend, interval: 50 });
      const from = checkpoints.position<{ index: number }>('events')?.index ?? 0;
      const workers = killableWorkers(options.workers ?? {}, plan(run++, input.slice(from)));
      const source = fromIterable(input, { from: checkpoints.position('events'), batchSize: 50, yieldAfterMs: 0 });
      const pipeline = checkpoints.source('events', source).pipe(
        withEventTimeBatches({ timestamp: (e: Event) => e.at, watermarks: boundedOutOfOrderness(300), uid: 'entry' }),
        keyBy((e: Event) => e.key),
        parallel(killableTotals, {
          workers,
          parallelism: PARALLELISM,
          bufferSize: 200,
          credits: 2,
          ...options.parallel,
        }),
        exactlyOnceSink<string, unknown>(
          async (values, id) => {
            commits.set(id, [...values]); // idempotent per id: a restore may commit its checkpoint again
          },
          { uid: 'sink' },
        ),
      );
      return { stream: pipeline, checkpoints };
    },
    {
      restartStrategy: strategy,
      onRestart: (n, cause) => {
        restarts = n;
        options.onRestart?.(n, cause);
      },
    },
  );
  const error = await new Promise<unknown>((resolve) =>
    stream.subscribe({ error: resolve, complete: () => resolve(undefined) }),
  );
  return { commits, restarts, error };
}

/** Every committed result, sorted. */
export const committed = (result: FailoverResult): string[] => [...result.commits.values()].flat().sort();
