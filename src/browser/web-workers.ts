import { InvalidOptionError } from '../core/errors.js';
import type { Frame, WorkerHandle, WorkerSpawner } from '../parallel/frames.js';

/** Options of `webWorkers`: where each subtask's worker script is, or how to start one. */
export interface WebWorkersOptions {
  /**
   * The URL of the worker script, a module that calls `serveWebSubtask(...)`; started as a module
   * worker (`new Worker(url, { type: 'module' })`).
   */
  url?: string | URL;
  /**
   * Starts the worker of subtask `subtask` instead of `url`: for bundlers that find workers by the
   * literal `new Worker(new URL('./subtask.worker.ts', import.meta.url), { type: 'module' })` (Vite, webpack).
   */
  create?: (subtask: number) => Worker;
}

/**
 * Starts the subtasks of `parallel` on Web Workers (docs/parallel.md): each worker runs a script that
 * calls `serveWebSubtask` with the segment modules it imports. Frames cross with `postMessage` and
 * transfer lists; SharedArrayBuffer is not needed, so the page needs no cross-origin isolation.
 * A Web Worker has no exit event: a worker that stops answering is found by `parallel`'s heartbeats.
 *
 * @example
 * ```ts
 * import { count, tumblingEventTimeWindows, window } from 'rxflink';
 * import { webWorkers } from 'rxflink/browser';
 * import { defineSegment, parallel } from 'rxflink/parallel';
 *
 * // Usually in a module of its own, which subtask.worker.js imports too (see serveWebSubtask).
 * export const clicksPerMinute = defineSegment<Click, string, unknown>(import.meta.url, 'clicksPerMinute', (clicks) =>
 *   clicks.pipe(window<Click, string>(tumblingEventTimeWindows(60_000)).aggregate(count())),
 * );
 * export const perMinute = parallel(clicksPerMinute, {
 *   workers: webWorkers({ create: () => new Worker(new URL('./subtask.worker.js', import.meta.url), { type: 'module' }) }),
 *   parallelism: 2,
 * });
 * ```
 */
export function webWorkers(options: WebWorkersOptions): WorkerSpawner {
  const { url, create } = options ?? {};
  if (create === undefined && url === undefined)
    throw new InvalidOptionError('url', url, 'must be the URL of the worker script, unless create starts the workers');
  const start = create ?? (() => new Worker(url!, { type: 'module' }));
  return {
    defaultParallelism: globalThis.navigator?.hardwareConcurrency ?? 2,
    spawn: (subtask) => webWorker(start(subtask)),
  };
}

function webWorker(worker: Worker): WorkerHandle {
  let stopped = false;
  let onFailure: ((reason: string, cause?: unknown) => void) | undefined;
  const failed = (reason: string, cause?: unknown): void => {
    if (stopped) return;
    stopped = true;
    worker.terminate();
    onFailure?.(reason, cause);
  };
  worker.addEventListener('error', (event) => {
    event.preventDefault(); // handled here: not also reported as the page's own error
    const where = event.filename ? ` (${event.filename}:${event.lineno})` : '';
    failed(
      `its worker threw ${event.message || 'an error it could not report (a failed start?)'}${where}`,
      event.error,
    );
  });
  worker.addEventListener('messageerror', () => failed('a frame could not be read'));
  return {
    post: (frame: Frame, transfer: readonly ArrayBuffer[] = []) => worker.postMessage(frame, [...transfer]),
    onFrame: (handler) => worker.addEventListener('message', (event) => handler(event.data as Frame)),
    onFailure: (handler) => {
      onFailure = handler;
    },
    terminate: () => {
      stopped = true;
      worker.terminate();
    },
  };
}
