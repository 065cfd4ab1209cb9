/**
 * The one place where what the library exposes today about a running pipeline becomes actions of
 * the status slice: the checkpoint coordinator (`Checkpointing`: restored snapshot, stored
 * checkpoints, the end or failure of the pipeline), a `FlowMonitor`'s samples, a stream of
 * watermarks, and the IndexedDB backend's ownership. A richer metrics model can feed the same slice
 * by mapping its own events to `pipelineStatusActions`.
 */
import type { Action } from '@reduxjs/toolkit';
import { asyncScheduler, EMPTY, from, map, merge, Observable, of, type SchedulerLike } from 'rxjs';
import type { Checkpointing } from '../checkpoint/coordinator.js';
import type { FlowMetrics, FlowMonitor } from '../flow/monitor.js';
import { pipelineStatusActions as actions, type StateOwner } from './pipeline-status-slice.js';

/** What `pipelineStatusFeed` reads; every part is optional. */
export interface PipelineStatusSources {
  /** The coordinator: restored snapshot, stored checkpoints, end or failure (`whenFinished`). */
  readonly checkpoints?: Pick<Checkpointing, 'restored' | 'completed' | 'whenFinished'>;
  /** Flow samples every `sampleInterval` ms (and a last one at the end): records in and out, drops, backpressure. */
  readonly monitor?: Pick<FlowMonitor, 'metrics' | 'snapshot'>;
  /** Processing time between two flow samples; default 1000. */
  readonly sampleInterval?: number;
  /** The pipeline's watermarks (for instance from a `tap` after `withEventTime`); lag is measured against `scheduler`. */
  readonly watermarks?: Observable<number>;
  /** The IndexedDB backend (`openIndexedDbBackend`): 'owner' means this tab owns the state. */
  readonly backend?: { readonly ownership: 'owner' | 'read-only' };
  /** Processing time for the lag; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

function flowSampled(m: FlowMetrics): Action {
  return actions.flowSampled({
    recordsIn: m.recordsIn,
    recordsOut: m.recordsOut,
    dropped: m.dropped,
    backPressuredTimeMsPerSecond: m.backPressuredTimeMsPerSecond,
  });
}

/**
 * The actions that keep the pipeline-status slice up to date, from what the pipeline exposes:
 * subscribe and dispatch them (`feed.subscribe(store.dispatch)`). Completes when the pipeline
 * finishes or fails, after the action that says so; without `checkpoints`, never completes.
 *
 * Today's gaps: the coordinator does not announce a checkpoint's start, so phase `checkpointing`
 * only comes from `pipelineStatusActions.checkpointStarted` dispatched by the app; and the
 * end of a restore shows as the first record pulled or the first checkpoint stored.
 *
 * @example
 * ```ts
 * const backend = await openIndexedDbBackend({ pipelineId: 'clicks' });
 * const checkpoints = await startCheckpointing({ backend, interval: 5_000 });
 * const clicks = fromIterable(clickLog, { from: checkpoints.position('clicks') });
 * const clicksWithBarriers$ = checkpoints.source('clicks', clicks);
 * pipelineStatusFeed({ checkpoints, monitor: clicks.monitor, backend }).subscribe(appStore.dispatch);
 * ```
 */
export function pipelineStatusFeed(sources: PipelineStatusSources): Observable<Action> {
  const scheduler = sources.scheduler ?? asyncScheduler;
  const { checkpoints, monitor, watermarks, backend } = sources;
  const live = merge(
    checkpoints === undefined
      ? EMPTY
      : checkpoints.completed.pipe(
          map((info) => actions.checkpointCompleted({ id: info.checkpointId, time: info.createdAt, kind: info.kind })),
        ),
    monitor === undefined ? EMPTY : monitor.metrics(sources.sampleInterval ?? 1000).pipe(map(flowSampled)),
    watermarks === undefined
      ? EMPTY
      : watermarks.pipe(map((watermark) => actions.watermarkAdvanced({ watermark, now: scheduler.now() }))),
  );
  const owner: StateOwner | undefined =
    backend === undefined ? undefined : backend.ownership === 'owner' ? 'this-tab' : 'other-tab';
  const start = of<Action[]>(
    actions.started({ restoredFrom: checkpoints?.restored?.checkpointId ?? null }),
    ...(owner === undefined ? [] : [actions.ownerChanged(owner)]),
  );
  if (checkpoints === undefined) return merge(start, live);
  const end = from(
    checkpoints.whenFinished().then(
      () => actions.finished(),
      (error: unknown) => actions.failed(error),
    ),
  );
  return new Observable<Action>((subscriber) => {
    const running = merge(start, live).subscribe({
      next: (a) => subscriber.next(a),
      error: (e: unknown) => subscriber.error(e),
    });
    const ending = end.subscribe((a) => {
      running.unsubscribe();
      if (monitor !== undefined) subscriber.next(flowSampled(monitor.snapshot()));
      subscriber.next(a);
      subscriber.complete();
    });
    return () => {
      running.unsubscribe();
      ending.unsubscribe();
    };
  });
}
