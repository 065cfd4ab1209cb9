import type { SchedulerLike, Subscriber, Subscription } from 'rxjs';
import type { SourceCheckpointLink } from '../core/source-link.js';
import { markersOf, watermark, type StreamBatch, type StreamRecord } from '../core/elements.js';
import { SourceMarkers } from '../sources/checkpoint-port.js';
import { TestStreamStepError } from './errors.js';

/** One step of a test stream, in the order the builder added it. */
export type TestStreamStep<T> =
  | { readonly kind: 'elements'; readonly records: readonly StreamRecord<T>[] }
  | { readonly kind: 'watermark'; readonly watermark: number }
  | { readonly kind: 'processingTime'; readonly ms: number }
  | { readonly kind: 'checkpointAndRestore' };

/**
 * Frames between a step and the step `index` after it: one, or none before a processing-time
 * advance, which replaces the frame by its own length (so `a`, 100 ms, `b` puts `b` 100 frames
 * after `a`).
 */
function gapBefore(steps: readonly TestStreamStep<unknown>[], index: number): number {
  return steps[index]?.kind === 'processingTime' ? 0 : 1;
}

/** How one subscription of a test stream runs its steps. */
export interface StepRun<T> {
  readonly steps: readonly TestStreamStep<T>[];
  /** Index of the first step to run (a restored run resumes after its checkpoint step). */
  readonly from: number;
  readonly scheduler: SchedulerLike;
  /** Frames before the first step; 0 unless the run continues a torn-down one. */
  readonly firstDelay?: number;
  /** The checkpoint coordinator's link, or `runWithRestore`'s. */
  readonly link?: SourceCheckpointLink | undefined;
  /**
   * Called when a linked run reaches a `checkpointAndRestore` step, with the position after it. The
   * run then emits nothing more but the markers injected into it.
   */
  readonly halted?: (position: number) => void;
}

/**
 * Runs the steps of a test stream on its scheduler, one frame apart (`advanceProcessingTime(ms)`:
 * `ms` frames instead of one), for one subscriber. Barriers and restore markers of a checkpointed run go out
 * between two steps through `SourceMarkers`, as at every source of the library, but as elements:
 * the test stream already emits the timed stream, so nothing downstream unpacks marker batches.
 * Its position is the index of the next step. At a `checkpointAndRestore` step a linked run halts
 * (the test tears it down and restores), and an unlinked one fails.
 */
export function runSteps<T>(subscriber: Subscriber<StreamBatch<T>>, run: StepRun<T>): () => void {
  const { steps, scheduler, link } = run;
  let next = run.from;
  let closed = false;
  let halted = false;
  let scheduled: Subscription | undefined;
  const close = (): boolean => {
    if (closed) return false;
    closed = true;
    return true;
  };
  const markers = new SourceMarkers({
    emit: (batch) => {
      if (!closed) subscriber.next((markersOf(batch) ?? batch) as StreamBatch<T>);
    },
    position: () => next,
    idle: () => true,
    wake: () => schedule(0),
    fail: (error) => {
      if (close()) subscriber.error(error);
    },
    complete: () => {
      if (close()) subscriber.complete();
    },
  });
  const schedule = (delay: number): void => {
    if (closed || scheduled !== undefined) return;
    scheduled = scheduler.schedule(() => {
      scheduled = undefined;
      tick();
    }, delay);
  };
  const end = (): void => {
    // A checkpointed run completes when its coordinator says so, after the final checkpoint.
    if (!markers.finish() && close()) subscriber.complete();
  };
  const tick = (): void => {
    markers.start();
    markers.deliver();
    if (closed || halted || !markers.mayEmit) return;
    if (next >= steps.length) {
      end();
      return;
    }
    const index = next++;
    const step = steps[index]!;
    if (step.kind === 'checkpointAndRestore') {
      if (link === undefined) {
        if (close()) {
          subscriber.error(
            new TestStreamStepError(
              index,
              'checkpointAndRestore()',
              'needs a run that can restore: subscribe through runWithRestore(stream, pipeline), or declare the stream as a source of startCheckpointing(...)',
            ),
          );
        }
        return;
      }
      halted = true;
      run.halted?.(next);
      return;
    }
    if (step.kind === 'elements') markers.emitting(() => subscriber.next(step.records));
    else if (step.kind === 'watermark') markers.emitting(() => subscriber.next([watermark(step.watermark)]));
    markers.deliver();
    if (next < steps.length || step.kind === 'processingTime')
      schedule(step.kind === 'processingTime' ? step.ms : gapBefore(steps, next));
    else end();
  };
  markers.connect(link);
  schedule(
    run.firstDelay === undefined || run.from >= steps.length ? 0 : Math.min(run.firstDelay, gapBefore(steps, run.from)),
  );
  return () => {
    markers.disconnect();
    closed = true;
    scheduled?.unsubscribe();
  };
}
