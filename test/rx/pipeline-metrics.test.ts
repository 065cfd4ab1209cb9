// Issue 13: one metrics model in the core: the job graph found in-band, Flink's operator metrics,
// checkpoints and exceptions, as a snapshot and as an Observable.
import { describe, expect, it } from 'vitest';
import { asyncScheduler, map, of, Subject, tap, type Observable, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  asyncSink,
  boundedOutOfOrderness,
  count,
  fromIterable,
  InvalidOptionError,
  keyBy,
  mapValues,
  memoryBackend,
  mergeTimed,
  PipelineMetrics,
  startCheckpointing,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
  withMetrics,
} from '../../src/index.js';
import { MemoryBlobStore } from '../../src/engine/index.js';

interface Click {
  readonly page: string;
  readonly ts: number;
}

const run = (observable: Observable<unknown>): Promise<void> =>
  new Promise((resolve, reject) => observable.subscribe({ error: reject, complete: () => resolve() }));

/** A scheduler whose clock the test sets (timers still run on asyncScheduler). */
function clock(): { scheduler: SchedulerLike; set(t: number): void } {
  let t = 0;
  return {
    scheduler: { now: () => t, schedule: asyncScheduler.schedule.bind(asyncScheduler) as SchedulerLike['schedule'] },
    set: (v) => {
      t = v;
    },
  };
}

const clicks = (n: number): Click[] => Array.from({ length: n }, (_, i) => ({ page: `p${i % 3}`, ts: i * 10 }));

describe('a pipeline without checkpoints, linked by withMetrics', () => {
  it('the fused chain is one node after the source; records in and out are counted per batch', async () => {
    const metrics = new PipelineMetrics({ job: 'clicks' });
    const results: unknown[] = [];
    const input = clicks(1000);
    await run(
      of(input.slice(0, 500), input.slice(500)).pipe(
        withMetrics(metrics, { name: 'clicks' }),
        withEventTimeBatches({ timestamp: (c: Click) => c.ts, watermarks: boundedOutOfOrderness(0) }),
        keyBy((c: Click) => c.page),
        window(tumblingEventTimeWindows(1000)).aggregate(count()),
        toValues(),
        tap((r) => results.push(r)),
      ),
    );
    const m = metrics.snapshot();
    expect(m.job).toBe('clicks');
    expect(m.operators.map((o) => [o.id, o.kind])).toEqual([
      ['clicks#1', 'source'],
      ['withEventTime → keyBy → Window#1', 'chain'],
    ]);
    expect(m.edges).toEqual([{ from: 'clicks#1', to: 'withEventTime → keyBy → Window#1' }]);
    const [source, chain] = m.operators;
    expect(source!.numRecordsOut).toBe(1000);
    expect(chain!.numRecordsIn).toBe(1000);
    expect(chain!.numRecordsOut).toBe(results.length);
    expect(results.length).toBe(30); // 10 windows of 1 s × 3 pages
    expect(chain!.state).toEqual({ keys: 0, windows: 0, timers: 0, approximateBytes: 0 }); // everything fired at the end
  });

  it('unfused operators are nodes of their own, linked in stream order, with their watermarks', async () => {
    const metrics = new PipelineMetrics();
    await run(
      of(clicks(100)).pipe(
        withMetrics(metrics),
        withEventTimeBatches({ timestamp: (c: Click) => c.ts, watermarks: boundedOutOfOrderness(0) }),
        mapValues((c: Click) => c.page),
        keyBy((p: string) => p),
        toValues(),
      ),
    );
    const m = metrics.snapshot();
    const ids = m.operators.map((o) => o.id);
    expect(ids).toEqual(['source#1', 'TimestampsAndWatermarks#1', 'Map#1', 'KeyBy#1']);
    expect(m.edges).toEqual(ids.slice(1).map((to, i) => ({ from: ids[i]!, to })));
    const map = m.operators[2]!;
    expect([map.numRecordsIn, map.numRecordsOut]).toEqual([100, 100]);
    // The end of input is the watermark +∞, which is not a finite time: reported as null.
    expect(map.currentOutputWatermark).toBeNull();
  });

  it('late records dropped by a window are counted as numLateRecordsDropped', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, flush }) => {
      const metrics = new PipelineMetrics();
      // The entry emits its watermark every 200 ms of processing time (Flink's auto-watermark interval).
      cold('a 1s b|', {
        a: [{ page: 'a', ts: 5000 }],
        b: [
          { page: 'a', ts: 10 },
          { page: 'a', ts: 20 },
        ],
      })
        .pipe(
          withMetrics(metrics),
          withEventTimeBatches({ timestamp: (c: Click) => c.ts, watermarks: boundedOutOfOrderness(0) }),
          keyBy((c: Click) => c.page),
          window(tumblingEventTimeWindows(1000)).aggregate(count()),
          toValues(),
        )
        .subscribe();
      flush();
      const chain = metrics.snapshot().operators[1]!;
      expect(chain.numLateRecordsDropped).toBe(2);
      expect(chain.numLateRecordsToSideOutput).toBe(0);
      expect(chain.numRecordsIn).toBe(3);
    });
  });

  it('rates are per second of the scheduler clock, between two snapshots; watermark lag is clock − watermark', async () => {
    const { scheduler, set } = clock();
    const metrics = new PipelineMetrics({ scheduler });
    metrics.snapshot();
    const source$ = new Subject<Click[]>();
    const pipeline = source$.pipe(
      withMetrics(metrics),
      withEventTimeBatches({ timestamp: (c: Click) => c.ts, watermarks: boundedOutOfOrderness(0) }),
      mapValues((c: Click) => c.page),
    );
    const sub = pipeline.subscribe();
    source$.next(clicks(400));
    set(2000);
    const m = metrics.snapshot();
    const map = m.operators.find((o) => o.name === 'Map')!;
    expect(map.numRecordsInPerSecond).toBe(200);
    expect(map.busyTimeMsPerSecond + map.idleTimeMsPerSecond + map.backPressuredTimeMsPerSecond).toBe(1000);
    set(3000);
    expect(metrics.snapshot().operators.find((o) => o.name === 'Map')!.numRecordsInPerSecond).toBe(0);
    sub.unsubscribe();
  });

  it('a sampler created after records flowed (the devtools charts): its first rates are over its own interval, not the whole count so far', () => {
    const { scheduler, set } = clock();
    const metrics = new PipelineMetrics({ scheduler });
    const source$ = new Subject<Click[]>();
    const sub = source$
      .pipe(
        withMetrics(metrics),
        withEventTimeBatches({ timestamp: (c: Click) => c.ts, watermarks: boundedOutOfOrderness(0) }),
        mapValues((c: Click) => c.page),
      )
      .subscribe();
    source$.next(clicks(9_000));
    set(1000);
    const sampler = metrics.sampler();
    source$.next(clicks(500));
    set(2000);
    // 500 records in its one second: 500/s (it was 9,500/s, a line falling from there on the chart).
    expect(sampler.take().operators.find((o) => o.name === 'Map')!.numRecordsInPerSecond).toBe(500);
    sub.unsubscribe();
  });

  it('an error thrown by an operator is recorded with the operator it came from', async () => {
    const metrics = new PipelineMetrics();
    const error = await run(
      of(clicks(3)).pipe(
        withMetrics(metrics),
        withEventTimeBatches({ timestamp: (c: Click) => c.ts, watermarks: boundedOutOfOrderness(0) }),
        mapValues((c: Click) => {
          if (c.ts === 10) throw new RangeError('bad click');
          return c;
        }),
      ),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect(metrics.snapshot().exceptions).toEqual([
      { time: expect.any(Number), operator: 'Map#1', name: 'RangeError', message: 'bad click' },
    ]);
  });

  it('options are validated', () => {
    expect(() => new PipelineMetrics({ job: '' })).toThrow(InvalidOptionError);
    expect(() => withMetrics({} as PipelineMetrics)).toThrow(InvalidOptionError);
    expect(() => new PipelineMetrics().updates(0)).toThrow(InvalidOptionError);
  });
});

describe('ended subscriptions (issue 13: nodes of ended subscriptions stay in the job graph)', () => {
  const pipeline = (metrics: PipelineMetrics, source: Observable<readonly Click[]>) =>
    source.pipe(
      withMetrics(metrics, { name: 'clicks' }),
      withEventTimeBatches({ timestamp: (c: Click) => c.ts, watermarks: boundedOutOfOrderness(0) }),
      keyBy((c: Click) => c.page),
      window(tumblingEventTimeWindows(1000), { uid: 'counts' }).aggregate(count()),
      toValues(),
    );
  const graph = (metrics: PipelineMetrics) => {
    const m = metrics.snapshot();
    return { ids: m.operators.map((o) => o.id), edges: m.edges, in: m.operators.map((o) => o.numRecordsIn) };
  };

  it('a pipeline run to completion 100 times keeps one graph: each run replaces the finished one, whose counts stay readable until then', async () => {
    const metrics = new PipelineMetrics();
    for (let run_ = 1; run_ <= 100; run_++) {
      await run(pipeline(metrics, of(clicks(run_))));
      // Finished: still in the graph, with its final counts (Flink's Web UI shows a finished job).
      expect(graph(metrics)).toEqual({
        ids: ['clicks#1', 'counts'],
        edges: [{ from: 'clicks#1', to: 'counts' }],
        in: [run_, run_],
      });
    }
  });

  it('unsubscribed and failed runs leave too; a live run of another source is kept', () => {
    const metrics = new PipelineMetrics();
    const other = new Subject<readonly Click[]>();
    const live = other.pipe(withMetrics(metrics, { name: 'other' })).subscribe({ error: () => undefined });
    for (let i = 0; i < 50; i++) {
      const input = new Subject<readonly Click[]>();
      const subscription = pipeline(metrics, input).subscribe({ error: () => undefined });
      input.next(clicks(3));
      if (i % 2 === 0) subscription.unsubscribe();
      else input.error(new Error('source failed'));
    }
    expect(graph(metrics).ids).toEqual(['other#1', 'clicks#1', 'counts']);
    live.unsubscribe();
  });
});

describe("operator status (issue 13: finished nodes are marked, as FINISHED in Flink's Web UI)", () => {
  const statuses = (metrics: PipelineMetrics) =>
    Object.fromEntries(metrics.snapshot().operators.map((o) => [o.id, o.status]));

  it('running while subscribed; finished once the subscription completed, with its counts kept', () => {
    const metrics = new PipelineMetrics();
    const input = new Subject<readonly Click[]>();
    input
      .pipe(
        withMetrics(metrics, { name: 'clicks' }),
        withEventTimeBatches({ timestamp: (c: Click) => c.ts, watermarks: boundedOutOfOrderness(0).onEveryBatch() }),
        keyBy((c: Click) => c.page),
        window(tumblingEventTimeWindows(1000), { uid: 'counts' }).aggregate(count()),
        toValues(),
      )
      .subscribe();
    input.next(clicks(3));
    expect(statuses(metrics)).toEqual({ 'clicks#1': 'running', counts: 'running' });
    expect(metrics.snapshot().operators.find((o) => o.id === 'counts')!.watermarkLagMs).not.toBeNull();
    input.complete();
    expect(statuses(metrics)).toEqual({ 'clicks#1': 'finished', counts: 'finished' });
    // A finished operator has no lag that grows with the clock.
    expect(metrics.snapshot().operators.map((o) => o.watermarkLagMs)).toEqual([null, null]);
    expect(metrics.snapshot().operators.map((o) => o.numRecordsIn)).toEqual([3, 3]);
  });

  it('after a merge, an operator that a live input still reaches keeps running; the ended input is finished', () => {
    const metrics = new PipelineMetrics();
    const a = new Subject<readonly Click[]>();
    const b = new Subject<readonly Click[]>();
    const entry = (name: string, source: Subject<readonly Click[]>) =>
      source.pipe(
        withMetrics(metrics, { name }),
        withEventTimeBatches({ timestamp: (c: Click) => c.ts, watermarks: boundedOutOfOrderness(0) }),
      );
    mergeTimed(entry('a', a), entry('b', b))
      .pipe(mapValues((c: Click) => c.page))
      .subscribe();
    a.next(clicks(2));
    b.next(clicks(2));
    a.complete();
    expect(statuses(metrics)).toMatchObject({ 'a#1': 'finished', 'b#1': 'running', 'Map#1': 'running' });
    b.complete();
    expect(statuses(metrics)).toMatchObject({ 'a#1': 'finished', 'b#1': 'finished', 'Map#1': 'finished' });
  });
});

describe('updates()', () => {
  it('emits a snapshot every interval of the scheduler, each subscriber measuring rates over its own interval', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const metrics = new PipelineMetrics();
      cold('500ms a 999ms b 999ms c 999ms |', { a: clicks(100), b: clicks(300), c: clicks(50) })
        .pipe(
          withMetrics(metrics),
          withEventTimeBatches({ timestamp: (c: Click) => c.ts, watermarks: boundedOutOfOrderness(0) }),
          mapValues((c: Click) => c.page),
        )
        .subscribe();
      const rates = metrics
        .updates(1000)
        .pipe(map((m) => m.operators.find((o) => o.name === 'Map')!.numRecordsInPerSecond));
      const lags = metrics.updates(1000).pipe(map((m) => m.operators.find((o) => o.name === 'Map')!.watermarkLagMs));
      // The entry's periodic watermark (every 200 ms) after batch b (max ts 2990): 2989, at 1600 the lag is 2000 − 2989.
      expectObservable(lags, '^ 2500ms !').toBe('1000ms a 999ms b', { a: 1000 - 989, b: 2000 - 2989 });
      expectObservable(rates, '^ 3500ms !').toBe('1000ms a 999ms b 999ms c', { a: 100, b: 300, c: 50 });
    });
  });
});

describe('a checkpointed pipeline, linked by startCheckpointing({ metrics })', () => {
  it('the source heads the graph; each checkpoint has its history entry with bytes and times', async () => {
    const metrics = new PipelineMetrics({ job: 'totals' });
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'p', store: new MemoryBlobStore() }),
      interval: 1_000_000,
      metrics,
    });
    const values = Array.from({ length: 50 }, (_, i) => i);
    await run(
      checkpoints.source('numbers', fromIterable(values, { batchSize: 10, yieldAfterMs: 0 })).pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        keyBy((n: number) => n % 2),
        window(tumblingEventTimeWindows(10), { uid: 'counts' }).aggregate(count()),
        toValues(),
      ),
    );
    const final = await checkpoints.whenFinished();
    const m = metrics.snapshot();
    expect(m.operators.map((o) => [o.id, o.kind])).toEqual([
      ['iterable source#1', 'source'],
      ['counts', 'chain'],
    ]);
    expect(m.edges).toEqual([{ from: 'iterable source#1', to: 'counts' }]);
    expect(m.operators[0]!.numRecordsOut).toBe(50);
    expect(m.operators[1]!.numRecordsIn).toBe(50);
    expect(m.checkpoints.completed).toBe(1);
    const last = m.checkpoints.history.at(-1)!;
    expect(last).toMatchObject({
      id: final!.checkpointId,
      status: 'completed',
      bytes: final!.byteLength,
      incremental: false,
      failure: null,
    });
    expect(last.durationMs).toBeGreaterThanOrEqual(0);
    expect(last.backendWriteMs! + last.alignmentMs!).toBeLessThanOrEqual(last.durationMs!);
  });
});

describe('merges and stages', () => {
  it('a merge is reached by the pipeline element of each input: the operator after it gets one edge per input', async () => {
    const metrics = new PipelineMetrics();
    const timed = (name: string, input: Click[]) =>
      of(input).pipe(
        withMetrics(metrics, { name }),
        withEventTimeBatches({ timestamp: (c: Click) => c.ts, watermarks: boundedOutOfOrderness(0) }),
      );
    await run(mergeTimed(timed('mobile', clicks(10)), timed('web', clicks(20))).pipe(mapValues((c: Click) => c.page)));
    const m = metrics.snapshot();
    expect(m.edges).toEqual([
      { from: 'mobile#1', to: 'TimestampsAndWatermarks#1' },
      { from: 'TimestampsAndWatermarks#1', to: 'Map#1' },
      { from: 'web#1', to: 'TimestampsAndWatermarks#2' },
      { from: 'TimestampsAndWatermarks#2', to: 'Map#1' },
    ]);
    expect(m.operators.find((o) => o.id === 'Map#1')!.numRecordsIn).toBe(30);
  });

  it('a source that a slow sink holds back is backpressured; the sink is a node of the graph', async () => {
    const metrics = new PipelineMetrics();
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'slow', store: new MemoryBlobStore() }),
      interval: 1_000_000,
      metrics,
    });
    await run(
      checkpoints
        .source(
          'rows',
          fromIterable(
            Array.from({ length: 400 }, (_, i) => i),
            { batchSize: 50 },
          ),
        )
        .pipe(
          withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
          asyncSink(() => new Promise((resolve) => setTimeout(resolve, 20)), { concurrency: 1, bufferSize: 50 }),
        ),
    );
    const m = metrics.snapshot();
    expect(m.operators.map((o) => o.kind)).toEqual(['source', 'operator', 'sink']);
    const source = m.operators[0]!;
    expect(source.backPressuredTimeMsPerSecond).toBeGreaterThan(100); // 8 writes of 20 ms, one batch buffered at a time
    expect(source.busyTimeMsPerSecond + source.idleTimeMsPerSecond + source.backPressuredTimeMsPerSecond).toBeCloseTo(
      1000,
    );
    expect(m.operators[2]!.numRecordsOut).toBe(400);
  });
});
