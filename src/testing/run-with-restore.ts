import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
import type { StateMigration } from '../checkpoint/restore-state.js';
import type { RunningCheckpoint } from '../checkpoint/running-checkpoint.js';
import type { Snapshot } from '../checkpoint/snapshot.js';
import { RESTORE_CONTROL } from '../core/checkpointing.js';
import type { SourceCheckpointLink, SourcePort } from '../core/source-link.js';
import type { StreamBatch } from '../core/elements.js';
import { kitCheckpoint, kitRestore, storedSnapshot } from './snapshots.js';
import { runSteps } from './step-runner.js';
import type { TestStream } from './test-stream.js';

/** Options of `runWithRestore`. */
export interface RunWithRestoreOptions {
  /** Converts restored state whose `stateVersion` differs, as `startCheckpointing`'s `migrate`. */
  migrate?: StateMigration;
  /** Called with every snapshot taken, as stored (after the codec's round trip). */
  onSnapshot?: (snapshot: Snapshot) => void;
}

/** The source id of the test stream in the snapshots `runWithRestore` takes. */
const SOURCE_ID = 'test-stream';

/**
 * Runs `stream.pipe(pipeline)`, and at each `checkpointAndRestore()` step of the stream takes a
 * checkpoint, tears the pipeline down and subscribes a new one (a new `pipeline` instance) restored
 * from it, which continues with the next step one frame later. The emissions of every incarnation
 * go to the one returned Observable, so a single `expectObservable` marble covers the whole story.
 *
 * Why this does not go through `startCheckpointing`: its backends store through Promises, which
 * `TestScheduler` cannot advance, so a restore would fall outside the marble's frames. Here the
 * checkpoint travels in-band exactly as the coordinator's does (a barrier that every operator
 * reports its state to, in stream order; a restore marker from which each claims its state by
 * uid), the snapshot goes through the checkpoint codec (so state a backend could not store fails
 * here too), and nothing waits for I/O: the whole cycle happens within the frame of the step. What
 * it does not test is a backend; for that, declare the stream to `startCheckpointing` and use
 * `await` between the runs (stored positions are step indexes: `stream.resumeAt(position)`).
 * Stored state no operator claims fails with `UnclaimedStateError`, as with the coordinator. An
 * asynchronous stage (`asyncMap`, an async sink) holds the barrier until its requests settle, and
 * the restore waits for it: with Promises in those requests it happens after `TestScheduler` has
 * flushed, so test such pipelines with the coordinator and `await`.
 *
 * @example
 * ```ts
 * import { pipe } from 'rxjs';
 * import { TestScheduler } from 'rxjs/testing';
 * const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
 * scheduler.run(({ expectObservable }) => {
 *   const input = testStream<number>()
 *     .addElements(timestamped(1, 10), timestamped(2, 20))
 *     .checkpointAndRestore() // frame 1: snapshot, tear down, restore
 *     .addElements(timestamped(3, 30))
 *     .advanceWatermarkToInfinity();
 *   const sums = runWithRestore(input, pipe(
 *     keyBy(() => 'all'),
 *     window(tumblingEventTimeWindows(1000), { uid: 'sums' }).aggregate(sum((v: number) => v)),
 *     toValues(),
 *   ));
 *   expectObservable(sums.pipe(map((r) => r.value))).toBe('---(x|)', { x: 6 });
 * });
 * ```
 */
export function runWithRestore<T, R>(
  stream: TestStream<T>,
  pipeline: OperatorFunction<StreamBatch<T>, R>,
  options: RunWithRestoreOptions = {},
): Observable<R> {
  return new Observable<R>((subscriber) => {
    let current: Subscription | undefined;
    let checkpointId = 0;

    const incarnation = (from: number, restored: Snapshot | undefined): void => {
      let port: SourcePort | undefined;
      const link: SourceCheckpointLink = {
        id: SOURCE_ID,
        connect: (opened) => {
          port = opened;
          if (restored !== undefined) {
            const restore = kitRestore(restored, options.migrate);
            opened.inject([{ kind: 'control', type: RESTORE_CONTROL, payload: restore.source }], () => {
              try {
                restore.check();
              } catch (error) {
                opened.fail(error);
              }
            });
          }
          return () => {
            port = undefined;
          };
        },
        // No final checkpoint here: the stream completes when its steps end.
        finishing: () => port?.complete(),
      };
      const halted = (): void => {
        const running = kitCheckpoint(++checkpointId, stream.scheduler.now(), restart, (error) =>
          subscriber.error(error),
        );
        running.waitingFor.add(SOURCE_ID);
        port!.inject([{ kind: 'barrier', checkpointId, checkpoint: running }], (position) => {
          running.sources[SOURCE_ID] = position;
          running.waitingFor.delete(SOURCE_ID);
          // Complete now, or once the asynchronous stages holding the barrier let it go.
          const release = running.hold('the test stream');
          release();
        });
      };
      const restart = (running: RunningCheckpoint): void => {
        const snapshot = storedSnapshot(running, SOURCE_ID);
        options.onSnapshot?.(snapshot);
        for (const listener of running.listeners) {
          Promise.resolve(listener(running.checkpointId)).catch((error: unknown) => subscriber.error(error));
        }
        current?.unsubscribe();
        incarnation(snapshot.sources[SOURCE_ID] as number, snapshot);
      };
      const source = new Observable<StreamBatch<T>>((s) =>
        runSteps(s, {
          steps: stream.steps,
          from,
          scheduler: stream.scheduler,
          link,
          halted,
          firstDelay: restored === undefined ? 0 : 1,
        }),
      );
      current = source.pipe(pipeline).subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    };

    incarnation(stream.start, undefined);
    return () => current?.unsubscribe();
  });
}
