/**
 * The bootstrap of a subtask's Node worker (started by `nodeWorkers`): hands the worker's port to the
 * platform-free subtask runtime (docs/parallel.md). Its only side effect is that: it is a worker's
 * main module, never imported by an entry point.
 */
import { parentPort } from 'node:worker_threads';
import type { Frame } from '../../parallel/frames.js';
import { serveSubtask } from '../../parallel/subtask-runtime.js';

const port = parentPort;
if (port === null) throw new Error('rxflink subtask bootstrap: run it as a worker thread (nodeWorkers starts it)');
serveSubtask({
  post: (frame: Frame, transfer: readonly ArrayBuffer[] = []) => port.postMessage(frame, transfer),
  onFrame: (handler) => port.on('message', handler),
});
