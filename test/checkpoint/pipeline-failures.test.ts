// Issue 17, items 3 to 6: failed checkpoints and failed pipelines are reported where a user waits
// for them (the subscriber, whenFinished, checkpoint()), and nothing hangs or commits too little.
import { describe, expect, it } from 'vitest';
import { pipe, type Observable, type OperatorFunction, type Subscription } from 'rxjs';
import {
  asyncMap,
  AsyncRequestError,
  boundedOutOfOrderness,
  CommitError,
  count,
  InvalidTimestampError,
  keyBy,
  toValues,
  tumblingEventTimeWindows,
  window,
  exactlyOnceSink,
  fromIterable,
  mapValues,
  memoryBackend,
  PipelineStoppedError,
  startCheckpointing,
  withEventTimeBatches,
  type CheckpointBackend,
  type Checkpointing,
  type StreamBatch,
} from '../../src/index.js';
import { fromStreamOperator } from '../../src/engine/index.js';

const VALUES = Array.from({ length: 60 }, (_, i) => i + 1);
type Batch = StreamBatch<number, undefined>;

/** VALUES through `steps` into an exactly-once sink that records its commits by checkpoint id. */
function pipeline(
  checkpoints: Checkpointing,
  commits: Map<number, number[]>,
  steps: OperatorFunction<Batch, Batch> = pipe(),
  commit: (values: readonly number[], id: number) => Promise<void> = async (values, id) =>
    void commits.set(id, [...values]),
): Observable<unknown> {
  return checkpoints
    .source('n', fromIterable(VALUES, { from: checkpoints.position('n'), batchSize: 1, yieldAfterMs: 0 }))
    .pipe(
      withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
      steps,
      exactlyOnceSink<number, undefined>(commit, { uid: 'sink' }),
    );
}

function run(observable: Observable<unknown>): Promise<void> {
  return new Promise((resolve, reject) => observable.subscribe({ error: reject, complete: () => resolve() }));
}

const all = (commits: Map<number, number[]>): number[] => [...commits.values()].flat().sort((a, b) => a - b);

/** Makes `backend.save` throw for the snapshots `fails` picks. */
function failSaves(
  backend: CheckpointBackend,
  fails: (snapshot: Parameters<CheckpointBackend['save']>[0], n: number) => boolean,
): void {
  const save = backend.save.bind(backend);
  let n = 0;
  backend.save = async (snapshot) => {
    if (fails(snapshot, ++n)) throw new Error(`save ${n} failed`);
    return save(snapshot);
  };
}

describe('a checkpoint that fails under tolerableFailures (issue 17 item 3)', () => {
  it('a checkpoint that fails under tolerableFailures never commits its transaction: the next completed checkpoint commits it', async () => {
    const backend = memoryBackend({ pipelineId: 'tolerated' });
    failSaves(backend, (_, n) => n === 3);
    const checkpoints = await startCheckpointing({ backend, interval: 1, tolerableFailures: 1 });
    const commits = new Map<number, number[]>();
    await run(pipeline(checkpoints, commits));
    await expect(checkpoints.whenFinished()).resolves.toBeDefined();
    expect(checkpoints.stats.failed).toBe(1);
    expect(all(commits)).toEqual(VALUES);
  });
});

describe('whenFinished is honest (issue 17 item 3)', () => {
  it('whenFinished resolves before the final commit is done: now it waits for the commits of the final checkpoint', async () => {
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'slow-commit' }),
      interval: 1,
    });
    const commits = new Map<number, number[]>();
    const done = run(
      pipeline(checkpoints, commits, pipe(), async (values, id) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        commits.set(id, [...values]);
      }),
    );
    await checkpoints.whenFinished();
    expect(all(commits)).toEqual(VALUES);
    await done;
  });

  it('whenFinished resolves although the final commit fails: now it rejects with the CommitError', async () => {
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'final-commit' }),
      interval: 1,
    });
    let last = 0;
    const done = run(
      pipeline(checkpoints, new Map(), pipe(), async (values) => {
        if (values.includes(VALUES.at(-1)!)) throw new Error('destination down at the end');
        last = values.at(-1)!;
      }),
    );
    await expect(checkpoints.whenFinished()).rejects.toBeInstanceOf(CommitError);
    await expect(done).rejects.toBeInstanceOf(CommitError);
    expect(last).toBeLessThan(VALUES.at(-1)!);
  });
});

describe('failures reach the subscriber, whenFinished and checkpoint() (issue 17 items 4, 5)', () => {
  it('a failed final checkpoint is not reported to the pipeline: now the pipeline fails with its error, even under tolerableFailures', async () => {
    const backend = memoryBackend({ pipelineId: 'final' });
    failSaves(backend, (snapshot) => snapshot.watermarks['entry'] === Infinity);
    const checkpoints = await startCheckpointing({ backend, interval: 1, tolerableFailures: 5 });
    await expect(run(pipeline(checkpoints, new Map()))).rejects.toThrow(/save \d+ failed/);
    await expect(checkpoints.whenFinished()).rejects.toThrow(/save \d+ failed/);
  });

  it('whenFinished never settles on a StateExportError at the barrier: now it rejects with it, and so does checkpoint()', async () => {
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'export' }),
      interval: 60_000,
    });
    const cannotExport = new Error('state cannot be exported');
    const failing = fromStreamOperator<number, undefined, number, undefined>(() => ({
      uid: 'bad',
      processRecord: (record, out) => void out.push(record),
      snapshotState: () => {
        throw cannotExport;
      },
    }));
    let requested: Promise<unknown> | undefined;
    const done = run(
      pipeline(
        checkpoints,
        new Map(),
        pipe(
          mapValues((n: number) => {
            if (n === 10) requested ??= checkpoints.checkpoint();
            return n;
          }),
          failing,
        ),
      ),
    );
    await expect(done).rejects.toBe(cannotExport);
    await expect(requested).rejects.toBe(cannotExport);
    await expect(checkpoints.whenFinished()).rejects.toBe(cannotExport);
  });

  it('whenFinished never settles on a CommitError: now it rejects with it', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'commit' }), interval: 1 });
    const done = run(
      pipeline(checkpoints, new Map(), pipe(), async () => {
        throw new Error('destination down');
      }),
    );
    await expect(done).rejects.toBeInstanceOf(CommitError);
    await expect(checkpoints.whenFinished()).rejects.toBeInstanceOf(CommitError);
    await expect(checkpoints.checkpoint()).rejects.toBeInstanceOf(CommitError);
  });

  it('a pipeline subscribed again after it failed fails at once with the same error, instead of checkpointing state it never restored', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'again' }), interval: 1 });
    const boom = new Error('bad record');
    let throws = true;
    const failing = pipeline(
      checkpoints,
      new Map(),
      mapValues((n: number) => {
        if (n === 20 && throws) throw boom;
        return n;
      }),
    );
    await expect(run(failing)).rejects.toBe(boom);
    throws = false;
    await expect(run(failing)).rejects.toBe(boom);
    await expect(checkpoints.checkpoint()).rejects.toBe(boom);
  });

  it('whenFinished never settles on a failed async request: now it rejects with the AsyncRequestError, with no sink in the pipeline', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'async' }), interval: 1 });
    const done = run(
      checkpoints.source('n', fromIterable(VALUES, { batchSize: 1, yieldAfterMs: 0 })).pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        asyncMap<number, number>(async (n) => {
          if (n === 40) throw new Error('service down');
          return n;
        }),
      ),
    );
    await expect(done).rejects.toBeInstanceOf(AsyncRequestError);
    expect(checkpoints.stats.completed).toBeGreaterThan(0);
    await expect(checkpoints.whenFinished()).rejects.toBeInstanceOf(AsyncRequestError);
  });

  it('whenFinished never settles when a user function throws: now it rejects with that error', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'user' }), interval: 1 });
    const boom = new Error('bad record');
    const done = run(
      pipeline(
        checkpoints,
        new Map(),
        mapValues((n: number) => {
          if (n === 40) throw boom;
          return n;
        }),
      ),
    );
    await expect(done).rejects.toBe(boom);
    expect(checkpoints.stats.completed).toBeGreaterThan(0);
    await expect(checkpoints.whenFinished()).rejects.toBe(boom);
  });
});

describe('errors before the first barrier, with no sink (issue 17 item 5)', () => {
  // RxJS sends errors only downstream: the source saw an unsubscribe, so the coordinator said
  // PipelineStoppedError. The pipeline link every operator gets at subscription now carries the cause.
  const source = (checkpoints: Checkpointing) =>
    checkpoints.source('n', fromIterable(VALUES, { from: checkpoints.position('n'), batchSize: 10, yieldAfterMs: 0 }));

  it('a user function throwing before the first barrier, with no sink: whenFinished and checkpoint() reject with its error', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'early' }), interval: 60_000 });
    const boom = new Error('bad record');
    const done = run(
      source(checkpoints).pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        mapValues((n: number) => {
          if (n === 3) throw boom;
          return n;
        }),
        toValues(),
      ),
    );
    await expect(done).rejects.toBe(boom);
    expect(checkpoints.stats.completed).toBe(0);
    await expect(checkpoints.checkpoint()).rejects.toBe(boom);
    await expect(checkpoints.whenFinished()).rejects.toBe(boom);
  });

  it('an async request failing before the first barrier, with no sink: whenFinished rejects with the AsyncRequestError', async () => {
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'early-async' }),
      interval: 60_000,
    });
    const done = run(
      source(checkpoints).pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        asyncMap<number, number>(async (n) => {
          if (n === 2) throw new Error('service down');
          return n;
        }),
        toValues(),
      ),
    );
    await expect(done).rejects.toBeInstanceOf(AsyncRequestError);
    expect(checkpoints.stats.completed).toBe(0);
    await expect(checkpoints.whenFinished()).rejects.toBeInstanceOf(AsyncRequestError);
  });

  it('a bad timestamp in the fused window pipeline reaches whenFinished with its typed error', async () => {
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'early-fused' }),
      interval: 60_000,
    });
    const done = run(
      source(checkpoints).pipe(
        withEventTimeBatches({
          timestamp: (n: number) => (n === 25 ? Number.NaN : n),
          watermarks: boundedOutOfOrderness(0),
          uid: 'entry',
        }),
        keyBy((n: number) => n % 3),
        window(tumblingEventTimeWindows(10), { uid: 'w' }).aggregate(count()),
        toValues(),
      ),
    );
    await expect(done).rejects.toBeInstanceOf(InvalidTimestampError);
    await expect(checkpoints.whenFinished()).rejects.toBeInstanceOf(InvalidTimestampError);
  });
});

describe('unsubscribing while a barrier is held downstream (issue 17 item 6)', () => {
  it('unsubscribing while a barrier is held by asyncMap leaks: now checkpoint() and whenFinished settle and close() returns', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'held' }), interval: 60_000 });
    let subscription: Subscription | undefined;
    let requested: Promise<unknown> | undefined;
    const stuck = asyncMap<number, number>((n) => (n === 5 ? new Promise<number>(() => {}) : Promise.resolve(n)));
    await new Promise<void>((resolve) => {
      subscription = pipeline(
        checkpoints,
        new Map(),
        pipe(
          mapValues((n: number) => {
            // The barrier comes after value 5, whose request never ends: asyncMap holds it.
            if (n === 6) {
              requested = checkpoints.checkpoint();
              setTimeout(resolve, 10);
            }
            return n;
          }),
          stuck,
        ),
      ).subscribe();
    });
    subscription!.unsubscribe();
    await expect(requested).rejects.toBeInstanceOf(PipelineStoppedError);
    await expect(checkpoints.whenFinished()).rejects.toBeInstanceOf(PipelineStoppedError);
    await checkpoints.close();
  });

  it('unsubscribing while the final checkpoint is held settles whenFinished', async () => {
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'held-final' }),
      interval: 60_000,
    });
    let subscription: Subscription | undefined;
    const last = VALUES.at(-1)!;
    await new Promise<void>((resolve) => {
      // The request for the last value never ends: the final checkpoint's barrier waits behind it.
      const stuck = asyncMap<number, number>((n) => {
        if (n !== last) return Promise.resolve(n);
        setTimeout(resolve, 10);
        return new Promise<number>(() => {});
      });
      subscription = pipeline(checkpoints, new Map(), stuck).subscribe();
    });
    subscription!.unsubscribe();
    await expect(checkpoints.whenFinished()).rejects.toBeInstanceOf(PipelineStoppedError);
    await checkpoints.close();
  });
});
