import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Frame, WorkerHandle, WorkerSpawner } from '../../parallel/frames.js';

/** Options of `nodeWorkers`. */
export interface NodeWorkersOptions {
  /** Memory limits of each worker (Node's `resourceLimits`): a worker over them fails its subtask. */
  resourceLimits?: ResourceLimits;
  /** Extra Node flags of each worker. */
  execArgv?: string[];
  /**
   * Registers tsx in each worker before the bootstrap, so that TypeScript segment modules load (tsx
   * must be installed). Default: on when the library itself runs from its TypeScript sources.
   */
  typescript?: boolean;
}

/**
 * Starts the subtasks of `parallel` on Node `worker_threads` (docs/parallel.md). Each worker runs the
 * library's subtask bootstrap, which imports the segment's module: under a TypeScript loader (tsx),
 * pass `execArgv: ['--import', 'tsx']` so that the worker can import `.ts` modules too.
 *
 * @example
 * ```ts
 * import { count, tumblingEventTimeWindows, window } from 'rxflink';
 * import { nodeWorkers } from 'rxflink/node';
 * import { defineSegment, parallel } from 'rxflink/parallel';
 *
 * export const perPage = defineSegment<Click, string, unknown>(import.meta.url, 'perPage', (clicks) =>
 *   clicks.pipe(window<Click, string>(tumblingEventTimeWindows(60_000)).aggregate(count())),
 * );
 * // Each worker may use at most 256 MB of heap: one that needs more fails its subtask.
 * export const inWorkers = parallel(perPage, { workers: nodeWorkers({ resourceLimits: { maxOldGenerationSizeMb: 256 } }) });
 * ```
 */
export function nodeWorkers(options: NodeWorkersOptions = {}): WorkerSpawner {
  // Run from src/ (tests, tsx) the bootstrap is TypeScript; from dist/ it is .js.
  const fromSources = import.meta.url.endsWith('.ts');
  const bootstrap = new URL(fromSources ? './subtask-worker.ts' : './subtask-worker.js', import.meta.url);
  // `execArgv: ['--import', 'tsx']` does not reach a worker's own module loading on Node 20, so the
  // worker registers tsx's loader itself, then imports the bootstrap.
  const main =
    (options.typescript ?? fromSources)
      ? `import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${JSON.stringify(bootstrap.href)}))`
      : `import(${JSON.stringify(bootstrap.href)})`;
  const settings = { eval: true, execArgv: options.execArgv ?? [], resourceLimits: options.resourceLimits };
  return {
    defaultParallelism: availableParallelism(),
    spawn: () => nodeWorker(new Worker(main, settings)),
  };
}

function nodeWorker(worker: Worker): WorkerHandle {
  let terminated = false;
  let onFailure: ((reason: string, cause?: unknown) => void) | undefined;
  const failed = (reason: string, cause?: unknown): void => {
    if (terminated) return;
    terminated = true;
    onFailure?.(reason, cause);
  };
  worker.on('error', (error) => failed(`its worker threw ${String(error)}`, error));
  worker.on('messageerror', (error) => failed('a frame could not be read', error));
  worker.on('exit', (code) => failed(`its worker exited with code ${code}`));
  return {
    post: (frame: Frame, transfer: readonly ArrayBuffer[] = []) => worker.postMessage(frame, transfer),
    onFrame: (handler) => worker.on('message', handler),
    onFailure: (handler) => {
      onFailure = handler;
    },
    terminate: () => {
      terminated = true;
      void worker.terminate();
    },
  };
}
