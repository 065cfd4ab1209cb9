import type { Frame } from '../parallel/frames.js';
import { serveSubtask } from '../parallel/subtask-runtime.js';

/** The worker's global scope, as far as a subtask uses it (typed here: the page's DOM types have no `self` of a worker). */
interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/**
 * The body of a Web Worker script that serves a subtask of `parallel` (started by `webWorkers`):
 * `segmentModules` are the modules, imported by the script, that define the segments it may run. A
 * bundled worker cannot import a module by the URL the page knows it by (each bundle has its own), so
 * the segment is found by its name among these modules' exports.
 *
 * @example
 * ```ts
 * // subtask.worker.ts, bundled as a module worker (it usually imports the segment module as a namespace)
 * import { count, tumblingEventTimeWindows, window } from 'rxflink';
 * import { serveWebSubtask } from 'rxflink/browser';
 * import { defineSegment } from 'rxflink/parallel';
 *
 * const clicks = {
 *   clicksPerMinute: defineSegment<Click, string, unknown>(import.meta.url, 'clicksPerMinute', (input) =>
 *     input.pipe(window<Click, string>(tumblingEventTimeWindows(60_000)).aggregate(count())),
 *   ),
 * };
 * serveWebSubtask([clicks]); // finds the segment the page asks for by its name
 * ```
 */
export function serveWebSubtask(segmentModules: readonly Record<string, unknown>[]): void {
  const scope = globalThis as unknown as WorkerScope;
  const exports: Record<string, unknown> = {};
  segmentModules.forEach((module, i) => {
    for (const [name, value] of Object.entries(module)) exports[`${i}:${name}`] = value;
  });
  serveSubtask(
    {
      post: (frame: Frame, transfer: readonly ArrayBuffer[] = []) => scope.postMessage(frame, [...transfer]),
      onFrame: (handler) => scope.addEventListener('message', (event) => handler(event.data as Frame)),
    },
    async () => exports,
  );
}
