import { Observable, type Subscriber } from 'rxjs';
import { ACTIVE, IDLE, watermark, type StreamBatch, type StreamElement } from '../core/elements.js';
import { keyGroupRangeForSubtask } from '../core/key-group-assignment.js';
import { FrameSender, returnCredit } from './frame-sender.js';
import type { KeyGroupRange } from '../core/state-snapshot.js';
import type { Frame, FramePort, InitFrame, StateReport, WorkerError } from './frames.js';
import { subtaskBarrier, subtaskRestore } from './subtask-checkpoints.js';
import { findSegment, type Segment } from './segment.js';

/** Loads a segment's module in the worker, by its URL; default: `import(url)`. */
export type SegmentModuleLoader = (url: string) => Promise<Record<string, unknown>>;

/**
 * What runs inside a subtask's worker, on any platform (the platform bootstrap only hands over its
 * port): imports the segment's module (with `load`: a bundled worker has its modules already), runs the segment over the frames that arrive, and sends what
 * it emits back as frames. A batch's credit goes back once the batch is processed, but not while the
 * worker's own output waits for credit from the main thread: a slow consumer stops the worker's
 * input, and through the main thread's demand, the source (docs/architecture.md §5).
 *
 * @example
 * ```ts
 * // internal: serveSubtask(nodePort(parentPort)); // in the Node bootstrap
 * ```
 */
export function serveSubtask(
  port: FramePort,
  load: SegmentModuleLoader = (url) => import(url) as Promise<Record<string, unknown>>,
): void {
  const early: Frame[] = [];
  let handle: ((frame: Frame) => void) | undefined;
  port.onFrame((frame) => {
    // Answered before anything else, even while the segment's module loads: the main thread only
    // learns that this worker's event loop still turns.
    if (frame.t === 'heartbeat') port.post(frame);
    else if (handle !== undefined) handle(frame);
    else if (frame.t === 'init') start(port, frame, early, load).then((h) => (handle = h), fail);
    else early.push(frame);
  });
  const fail = (error: unknown): void => port.post({ t: 'error', error: cloneable(error) });
}

async function start(
  port: FramePort,
  init: InitFrame,
  early: Frame[],
  load: SegmentModuleLoader,
): Promise<(frame: Frame) => void> {
  const exports = await load(init.module);
  const segment = findSegment(exports, init.module, init.segment);
  const run = new SubtaskRun(port, init, segment);
  for (const frame of early.splice(0)) run.frame(frame);
  return (frame) => run.frame(frame);
}

class SubtaskRun {
  readonly #port: FramePort;
  readonly #segment: Segment;
  readonly #out: FrameSender;
  #input: Subscriber<StreamBatch<unknown, unknown>> | undefined;
  /** Payloads processed whose credit waits for the output to drain. */
  readonly #owed: unknown[] = [];
  #failed = false;
  readonly #keyGroups: KeyGroupRange;
  /** What the segment's operators reported to each barrier on its way through. */
  readonly #reports = new Map<object, StateReport[]>();

  constructor(port: FramePort, init: InitFrame, segment: Segment) {
    this.#port = port;
    this.#segment = segment;
    this.#out = new FrameSender(port, segment.codec, init.credits);
    const input = new Observable<StreamBatch<unknown, unknown>>((subscriber) => {
      this.#input = subscriber;
    });
    this.#keyGroups = keyGroupRangeForSubtask(init.maxParallelism, init.parallelism, init.subtask);
    const info = {
      subtask: init.subtask,
      parallelism: init.parallelism,
      maxParallelism: init.maxParallelism,
      keyGroups: this.#keyGroups,
    };
    try {
      segment.build(input, info).subscribe({
        next: (batch) => this.#emit(batch),
        error: (error: unknown) => this.#fail(error),
        complete: () => {
          this.#out.frame({ t: 'end' });
          this.#out.flush();
        },
      });
    } catch (error) {
      this.#fail(error);
    }
  }

  frame(frame: Frame): void {
    if (this.#failed) return;
    switch (frame.t) {
      case 'batch':
        this.#input?.next(this.#segment.codec.decode(frame.payload));
        this.#owed.push(frame.payload);
        this.#settle();
        return;
      case 'watermark':
        this.#input?.next([watermark(frame.timestamp)]);
        return;
      case 'status':
        this.#input?.next([frame.idle ? IDLE : ACTIVE]);
        return;
      case 'end':
        this.#input?.complete();
        return;
      case 'barrier': {
        const { barrier, reports } = subtaskBarrier(frame, (error) => this.#fail(error));
        this.#reports.set(barrier, reports);
        this.#input?.next([barrier]);
        return;
      }
      case 'restore':
        this.#input?.next([subtaskRestore(frame, this.#keyGroups)]);
        return;
      case 'credit':
        this.#out.credit(frame);
        this.#settle();
        return;
      default:
        return;
    }
  }

  /** Returns the credits owed once nothing of ours waits for credit. */
  #settle(): void {
    if (this.#out.blocked || this.#owed.length === 0) return;
    returnCredit(this.#port, this.#segment.codec, this.#owed.splice(0));
  }

  #emit(batch: StreamBatch<unknown, unknown>): void {
    for (const element of batch) this.#element(element);
    this.#out.flush();
  }

  #element(element: StreamElement<unknown, unknown>): void {
    switch (element.kind) {
      case 'record':
        this.#out.record(element);
        return;
      case 'watermark':
        this.#out.frame({ t: 'watermark', timestamp: element.timestamp });
        return;
      case 'status':
        this.#out.frame({ t: 'status', idle: element.idle });
        return;
      case 'barrier': {
        const reports = this.#reports.get(element) ?? [];
        this.#reports.delete(element);
        this.#out.frame({ t: 'barrier', checkpointId: element.checkpointId, incremental: false, reports });
        return;
      }
      default:
        return; // control elements: the main thread has its own
    }
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#port.post({ t: 'error', error: cloneable(error) });
  }
}

/** An error as plain data, which every platform's structured clone copies: name, message, stack, code. */
function cloneable(error: unknown): WorkerError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      stack: error.stack,
      code: typeof code === 'string' ? code : undefined,
    };
  }
  return { name: 'Error', message: String(error), stack: undefined, code: undefined };
}
