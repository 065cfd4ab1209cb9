import { describe, expect, it } from 'vitest';
import { configureStore, type Action } from '@reduxjs/toolkit';
import { Subject } from 'rxjs';
import {
  boundedOutOfOrderness,
  count,
  fromIterable,
  keyBy,
  memoryBackend,
  startCheckpointing,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
} from '../../src/index.js';
import {
  isPipelineAction,
  PIPELINE_STATUS,
  pipelineStatusActions,
  pipelineStatusFeed,
  pipelineStatusReducer,
  selectPipelineStatus,
} from '../../src/redux/index.js';
import { TestScheduler } from 'rxjs/testing';
import { FlowMonitor } from '../../src/flow/monitor.js';

const newStore = () => configureStore({ reducer: { [PIPELINE_STATUS]: pipelineStatusReducer } });

describe('pipeline-status slice', () => {
  it('moves through restoring, running, checkpointing, finished; keeps the last checkpoint, flow, watermark and lag, owner', () => {
    const store = newStore();
    const status = () => selectPipelineStatus(store.getState());
    store.dispatch(pipelineStatusActions.started({ restoredFrom: 4 }));
    expect(status()).toMatchObject({ phase: 'restoring', restoredFrom: 4 });
    store.dispatch(
      pipelineStatusActions.flowSampled({
        recordsIn: 10,
        recordsOut: 8,
        dropped: 1,
        backPressuredTimeMsPerSecond: 250,
      }),
    );
    expect(status()).toMatchObject({
      phase: 'running',
      recordsIn: 10,
      recordsOut: 8,
      dropped: 1,
      backPressuredTimeMsPerSecond: 250,
    });
    store.dispatch(pipelineStatusActions.checkpointStarted());
    expect(status().phase).toBe('checkpointing');
    store.dispatch(pipelineStatusActions.checkpointCompleted({ id: 5, time: 1_000, kind: 'checkpoint' }));
    expect(status()).toMatchObject({
      phase: 'running',
      lastCheckpoint: { id: 5, time: 1_000, kind: 'checkpoint' },
      checkpointsCompleted: 1,
    });
    store.dispatch(pipelineStatusActions.watermarkAdvanced({ watermark: 900, now: 1_500 }));
    store.dispatch(pipelineStatusActions.watermarkAdvanced({ watermark: Infinity, now: 1_600 })); // the end of input is no lag
    expect(status()).toMatchObject({ watermark: 900, lagMs: 600 });
    store.dispatch(pipelineStatusActions.ownerChanged('other-tab'));
    store.dispatch(pipelineStatusActions.finished());
    expect(status()).toMatchObject({ phase: 'finished', owner: 'other-tab' });
  });

  it('stores a failure as serializable data, with the error code of a StreamError', () => {
    const store = newStore();
    const error = Object.assign(new Error('disk full'), { code: 'storage' });
    const action = pipelineStatusActions.failed(error);
    expect(isPipelineAction(action)).toBe(true);
    store.dispatch(action);
    const status = selectPipelineStatus(store.getState());
    expect(status.phase).toBe('failed');
    expect(status.error).toMatchObject({ name: 'Error', message: 'disk full', code: 'storage' });
    expect(JSON.parse(JSON.stringify(status.error))).toEqual(status.error);
    store.dispatch(pipelineStatusActions.finished());
    expect(selectPipelineStatus(store.getState()).phase).toBe('failed');
  });
});

describe('pipelineStatusFeed: what the library exposes today, as status actions', () => {
  it('maps a checkpointed run to started, flow samples, checkpoints, watermarks and finished', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'feed' }), interval: 60_000 });
    const rows = Array.from({ length: 30 }, (_, i) => ({ k: i % 3, t: i * 10 }));
    const rows$ = fromIterable(rows, { batchSize: 10 });
    const source = checkpoints.source('rows', rows$);
    const watermarks = new Subject<number>();
    const store = newStore();
    const seen: Action[] = [];
    const feed = pipelineStatusFeed({
      checkpoints,
      monitor: rows$.monitor,
      sampleInterval: 1,
      watermarks,
      backend: { ownership: 'owner' },
    });
    const done = new Promise<void>((resolve) =>
      feed.subscribe({
        next: (a) => {
          seen.push(a);
          store.dispatch(a);
        },
        complete: resolve,
      }),
    );
    source
      .pipe(
        withEventTimeBatches({
          timestamp: (r: { t: number }) => r.t,
          watermarks: boundedOutOfOrderness(0),
          uid: 'entry',
        }),
        keyBy((r) => r.k),
        window(tumblingEventTimeWindows(100), { uid: 'counts' }).aggregate(count()),
        toValues(),
      )
      .subscribe({ error: () => undefined });
    watermarks.next(250);
    await done;
    const status = selectPipelineStatus(store.getState());
    expect(status.phase).toBe('finished');
    expect(status.owner).toBe('this-tab');
    expect(status.lastCheckpoint?.kind).toBe('checkpoint'); // the final checkpoint at the end of input
    expect(status.watermark).toBe(250);
    expect(status.recordsIn).toBe(30);
    expect(seen.every(isPipelineAction)).toBe(true);
    expect(seen[0]!.type).toBe('pipelineStatus/started');
  });

  it('reports a failed pipeline with its error', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'fails' }), interval: 60_000 });
    const source = checkpoints.source('rows', fromIterable([1, 2, 3]));
    const store = newStore();
    const done = new Promise<void>((resolve) =>
      pipelineStatusFeed({ checkpoints }).subscribe({ next: (a) => store.dispatch(a), complete: resolve }),
    );
    source
      .pipe(
        withEventTimeBatches({
          timestamp: () => {
            throw new TypeError('no time');
          },
          watermarks: boundedOutOfOrderness(0),
          uid: 'entry',
        }),
      )
      .subscribe({ error: () => undefined });
    await done;
    expect(selectPipelineStatus(store.getState())).toMatchObject({
      phase: 'failed',
      error: { name: 'TypeError', message: 'no time' },
    });
  });

  it('without a coordinator, reads a FlowMonitor on the given scheduler', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(({ expectObservable }) => {
      const monitor = new FlowMonitor({ scheduler: ts });
      const feed = pipelineStatusFeed({ monitor, sampleInterval: 5, scheduler: ts });
      expectObservable(feed, '^ 11ms !').toBe('a----b----c', {
        a: pipelineStatusActions.started({ restoredFrom: null }),
        b: pipelineStatusActions.flowSampled({
          recordsIn: 0,
          recordsOut: 0,
          dropped: 0,
          backPressuredTimeMsPerSecond: 0,
        }),
        c: pipelineStatusActions.flowSampled({
          recordsIn: 0,
          recordsOut: 0,
          dropped: 0,
          backPressuredTimeMsPerSecond: 0,
        }),
      });
    });
  });
});
