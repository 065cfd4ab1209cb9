import { describe, expect, it } from 'vitest';
import { type Observable, pipe, Subject, tap, type Subscription } from 'rxjs';
import {
  asyncSink,
  boundedOutOfOrderness,
  count,
  fromPush,
  mapValues,
  record,
  type StreamBatch,
  DuplicateUidError,
  exactlyOnceSink,
  fromIterable,
  keyBy,
  memoryBackend,
  mergeTimed,
  MissingUidError,
  rollingReduce,
  startCheckpointing,
  StateVersionError,
  toValues,
  tumblingEventTimeWindows,
  UnclaimedStateError,
  window,
  withEventTimeBatches,
  type Checkpointing,
  type Key,
  type WindowResult,
} from '../../src/index.js';
import { keyGroupOf, MemoryBlobStore } from '../../src/engine/index.js';

interface Event {
  readonly user: string;
  readonly at: number;
}

/** 600 events over 7 users, time advancing 10 ms per event with up to 40 ms of disorder. */
const events: Event[] = Array.from({ length: 600 }, (_, i) => ({
  user: `u${(i * 7919) % 7}`,
  at: i * 10 - ((i * 31) % 5) * 10,
}));

type Result = WindowResult<Key, number>;
const describeResult = (r: Result): string => `${String(r.key)}@${r.window.start}=${r.value}`;

/** The windowed count per user in 1 s windows, as a pipeline reading `events` through `checkpoints`. */
function pipeline(checkpoints: Checkpointing, commits: Map<number, string[]>, alive: () => boolean = () => true) {
  return checkpoints
    .source('events', fromIterable(events, { from: checkpoints.position('events'), batchSize: 25, yieldAfterMs: 0 }))
    .pipe(
      withEventTimeBatches({
        timestamp: (e: Event) => e.at,
        watermarks: boundedOutOfOrderness(50).withPeriod(1),
        uid: 'entry',
      }),
      countAndCommit(commits, alive),
    );
}

/** Counts per user and 1 s window, committed exactly once into `commits` (by checkpoint id). */
function countAndCommit(commits: Map<number, string[]>, alive: () => boolean) {
  return pipe(
    keyBy((e: Event) => e.user),
    window(tumblingEventTimeWindows(1_000), { uid: 'counts' }).aggregate(count()),
    exactlyOnceSink<Result, Key>(
      async (results, checkpointId) => {
        // Idempotent per checkpoint id, as the sink requires. A process that crashed commits nothing more.
        if (alive()) commits.set(checkpointId, results.map(describeResult));
      },
      { uid: 'sink' },
    ),
    toValues(),
  );
}

const reference = (): Promise<string[]> =>
  new Promise((resolve, reject) => {
    const results: string[] = [];
    fromIterable(events, { batchSize: 25 })
      .pipe(
        withEventTimeBatches({ timestamp: (e: Event) => e.at, watermarks: boundedOutOfOrderness(50) }),
        keyBy((e: Event) => e.user),
        window(tumblingEventTimeWindows(1_000)).aggregate(count()),
        toValues(),
      )
      .subscribe({ next: (r) => results.push(describeResult(r)), error: reject, complete: () => resolve(results) });
  });

const committed = (commits: Map<number, string[]>): string[] => [...commits.values()].flat();

function run(observable: Observable<unknown>): Promise<void> {
  return new Promise((resolve, reject) => observable.subscribe({ error: reject, complete: () => resolve() }));
}

describe('checkpoint coordinator: barriers through a running pipeline', () => {
  it('stores consistent checkpoints and commits every result exactly once, with a final checkpoint at the end of input', async () => {
    const backend = memoryBackend({ pipelineId: 'counts' });
    const checkpoints = await startCheckpointing({ backend, interval: 1 });
    const commits = new Map<number, string[]>();
    await run(pipeline(checkpoints, commits));
    const final = await checkpoints.whenFinished();
    expect(committed(commits).sort()).toEqual((await reference()).sort());
    expect(checkpoints.stats.completed).toBeGreaterThan(2);
    // The final checkpoint holds the finished pipeline: the source at its end, no window left open.
    const last = await backend.load();
    expect(last!.checkpointId).toBe(final!.checkpointId);
    expect(last!.sources).toEqual({ events: { index: events.length } });
    expect(Object.keys(last!.operators).sort()).toEqual(['counts', 'entry', 'sink']);
    expect((last!.operators['entry']!.state as { watermark: number }).watermark).toBe(Infinity);
    // The watermarks at the barrier: event time ended everywhere before the final checkpoint.
    expect(last!.watermarks).toEqual({ entry: Infinity, counts: Infinity });
  });

  /**
   * Runs the pipeline until `crashWhen` says so, then drops it on the floor, as a crash would: no more
   * commits, no more checkpoints. Then restores from the latest checkpoint and runs to the end.
   */
  async function crashAndRestore(
    crashWhen: (event: { commits: number; checkpoints: number }) => boolean,
  ): Promise<{ restoredAt: number; commits: Map<number, string[]> }> {
    const store = new MemoryBlobStore();
    const commits = new Map<number, string[]>();
    const first = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'crash', store }), interval: 1 });
    let alive = true;
    let commitCalls = 0;
    let subscription: Subscription | undefined;
    await new Promise<void>((resolve, reject) => {
      const crash = (): void => {
        alive = false;
        subscription?.unsubscribe();
        first.stop();
        resolve();
      };
      first.completed.subscribe(() => {
        if (alive && crashWhen({ commits: commitCalls, checkpoints: first.stats.completed })) crash();
      });
      const source = pipeline(first, commits, () => {
        if (!alive) return false;
        commitCalls++;
        if (crashWhen({ commits: commitCalls, checkpoints: first.stats.completed })) {
          crash(); // crashes in the middle of a commit: this checkpoint is stored, its results are not
          return false;
        }
        return true;
      });
      subscription = source.subscribe({ error: reject, complete: () => resolve() });
    });
    // The crash came, before the end of input; the restore takes the latest checkpoint stored, not
    // an older one that would also give every result once.
    expect(alive).toBe(false);
    const latest = (await memoryBackend({ pipelineId: 'crash', store }).list()).at(-1)!.checkpointId;
    const second = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'crash', store }), interval: 1 });
    expect(second.restored!.checkpointId).toBe(latest);
    const restoredAt = (second.restored!.sources['events'] as { index: number }).index;
    await run(pipeline(second, commits));
    await second.whenFinished();
    return { restoredAt, commits };
  }

  it.each([1, 2, 3, 4, 5])(
    'a crash in the middle of commit %i: the restored pipeline commits it again, every result exactly once',
    async (k) => {
      const { restoredAt, commits } = await crashAndRestore(({ commits }) => commits === k);
      expect(restoredAt).toBeGreaterThan(0);
      expect(restoredAt).toBeLessThan(events.length);
      expect(committed(commits).sort()).toEqual((await reference()).sort());
    },
  );

  it.each([1, 4, 9, 16, 25])('a crash right after checkpoint %i is stored: every result exactly once', async (n) => {
    const { restoredAt, commits } = await crashAndRestore(({ checkpoints }) => checkpoints === n);
    expect(restoredAt).toBeLessThan(events.length);
    expect(committed(commits).sort()).toEqual((await reference()).sort());
  });
});

/** The same count over two inputs merged: even and odd events, read at different speeds. */
function mergedPipeline(checkpoints: Checkpointing, commits: Map<number, string[]>, alive: () => boolean = () => true) {
  const input = (id: string, values: Event[], batchSize: number) =>
    checkpoints.source(id, fromIterable(values, { from: checkpoints.position(id), batchSize, yieldAfterMs: 0 })).pipe(
      withEventTimeBatches({
        timestamp: (e: Event) => e.at,
        watermarks: boundedOutOfOrderness(50).withPeriod(1),
        uid: `entry-${id}`,
      }),
    );
  return mergeTimed(
    input(
      'even',
      events.filter((_, i) => i % 2 === 0),
      7,
    ),
    input(
      'odd',
      events.filter((_, i) => i % 2 === 1),
      31,
    ),
  ).pipe(countAndCommit(commits, alive));
}

describe('barrier alignment where inputs merge', () => {
  it.each([2, 5, 9, 14])('two sources merged, a crash after checkpoint %i: every result exactly once', async (n) => {
    const store = new MemoryBlobStore();
    const commits = new Map<number, string[]>();
    const first = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'merged', store }), interval: 1 });
    let alive = true;
    let crashedAfter: number | undefined;
    await new Promise<void>((resolve, reject) => {
      const subscription = mergedPipeline(first, commits, () => alive).subscribe({
        error: reject,
        complete: () => resolve(),
      });
      first.completed.subscribe((info) => {
        if (!alive || first.stats.completed !== n) return;
        alive = false;
        crashedAfter = info.checkpointId;
        subscription.unsubscribe();
        first.stop();
        resolve();
      });
    });
    // The crash came before the end of input (the job did not complete first), and the restore
    // takes the checkpoint stored last before it.
    expect(crashedAfter).toBeDefined();
    const second = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'merged', store }), interval: 1 });
    expect(second.restored!.checkpointId).toBe(crashedAfter);
    const positions = second.restored!.sources as Record<string, { index: number }>;
    expect(Object.keys(positions).sort()).toEqual(['even', 'odd']);
    expect(positions['even']!.index + positions['odd']!.index).toBeLessThan(events.length);
    await run(mergedPipeline(second, commits));
    await second.whenFinished();
    expect(committed(commits).sort()).toEqual((await reference()).sort());
  });

  it('holds back what an input sends after its barrier until every input has sent it', () => {
    const holds: string[] = [];
    const checkpoint = {
      checkpointId: 1,
      incremental: false,
      report: () => {},
      onComplete: () => {},
      hold: (where: string) => {
        holds.push(`hold ${where}`);
        return () => holds.push(`release ${where}`);
      },
    };
    const barrier = { kind: 'barrier' as const, checkpointId: 1, checkpoint };
    const a = new Subject<StreamBatch<string>>();
    const b = new Subject<StreamBatch<string>>();
    const seen: string[] = [];
    mergeTimed(a, b).subscribe((batch) => seen.push(...batch.map((e) => (e.kind === 'record' ? e.value : e.kind))));
    a.next([record('a1', 1), barrier, record('a2', 2)]);
    expect(seen).toEqual(['a1']);
    expect(holds).toEqual(['hold mergeTimed']);
    b.next([record('b1', 1)]);
    a.next([record('a3', 3)]);
    expect(seen).toEqual(['a1', 'b1']);
    b.next([barrier, record('b2', 2)]);
    expect(seen).toEqual(['a1', 'b1', 'barrier', 'a2', 'a3', 'b2']);
    expect(holds).toEqual(['hold mergeTimed', 'release mergeTimed']);
  });

  it('an input that completes counts as aligned', () => {
    const checkpoint = {
      checkpointId: 1,
      incremental: false,
      report: () => {},
      onComplete: () => {},
      hold: () => () => {},
    };
    const a = new Subject<StreamBatch<string>>();
    const b = new Subject<StreamBatch<string>>();
    const seen: string[] = [];
    mergeTimed(a, b).subscribe((batch) => seen.push(...batch.map((e) => (e.kind === 'record' ? e.value : e.kind))));
    a.next([{ kind: 'barrier', checkpointId: 1, checkpoint }, record('a2', 2)]);
    expect(seen).toEqual([]);
    b.complete();
    expect(seen).toEqual(['barrier', 'a2']);
  });
});

describe('restore: uids, versions, savepoints', () => {
  it('a stateful operator without a uid fails the checkpoint with MissingUidError naming it', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'no-uid' }), interval: 1 });
    const failure = run(
      checkpoints.source('s', fromIterable([1, 2, 3], { batchSize: 1, yieldAfterMs: 0 })).pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        keyBy((n: number) => n % 2),
        rollingReduce((x: number, y: number) => x + y),
      ),
    );
    await expect(failure).rejects.toThrow(MissingUidError);
    await expect(failure).rejects.toThrow(/RollingReduceOperator has state but no uid/);
  });

  it('two operators with one uid fail with DuplicateUidError', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'dup' }), interval: 1 });
    const failure = run(
      checkpoints.source('s', fromIterable([1, 2, 3], { batchSize: 1, yieldAfterMs: 0 })).pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'same' }),
        keyBy((n: number) => n % 2),
        rollingReduce((x: number, y: number) => x + y, { uid: 'same' }),
      ),
    );
    await expect(failure).rejects.toThrow(DuplicateUidError);
  });

  /** A stored pipeline whose latest checkpoint is before the end of its input (a finished one is not restored). */
  async function storedPipeline(): Promise<MemoryBlobStore> {
    const store = new MemoryBlobStore();
    const backend = memoryBackend({ pipelineId: 'p', store });
    const checkpoints = await startCheckpointing({ backend, interval: 1 });
    await run(
      checkpoints.source('s', fromIterable([1, 2, 3, 4], { batchSize: 1, yieldAfterMs: 0 })).pipe(
        tap((values) => values.includes(2) && void checkpoints.checkpoint()),
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        keyBy((n: number) => n % 2),
        rollingReduce((x: number, y: number) => x + y, { uid: 'sums' }),
      ),
    );
    await backend.delete((await checkpoints.whenFinished())!.checkpointId);
    return store;
  }

  it('state that no operator claims fails the restore with UnclaimedStateError, unless allowed', async () => {
    const store = await storedPipeline();
    const renamed = (checkpoints: Checkpointing) =>
      checkpoints.source('s', fromIterable([5, 6], { from: checkpoints.position('s'), batchSize: 1 })).pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        keyBy((n: number) => n % 2),
        rollingReduce((x: number, y: number) => x + y, { uid: 'sums-v2' }),
        toValues(),
      );
    const strict = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'p', store }), interval: 1 });
    const failure = run(renamed(strict));
    await expect(failure).rejects.toThrow(UnclaimedStateError);
    await expect(failure).rejects.toThrow(/uid "sums"/);
    const lenient = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'p', store }),
      interval: 1,
      allowUnclaimedState: true,
    });
    await expect(run(renamed(lenient))).resolves.toBeUndefined();
  });

  it('state of another version fails with StateVersionError, or goes through the migrate hook', async () => {
    const store = new MemoryBlobStore();
    const backend = memoryBackend({ pipelineId: 'v', store });
    await backend.save({
      formatVersion: 1,
      pipelineId: 'v',
      checkpointId: 1,
      kind: 'checkpoint',
      createdAt: 0,
      watermarks: {},
      sources: { s: { index: 4 } },
      operators: { sink: { stateVersion: 0, state: { uncommitted: [[1, ['old']]] } } },
    });
    const pipelineOf = (checkpoints: Checkpointing, commits: string[]) =>
      checkpoints.source('s', fromIterable([1, 2, 3, 4], { from: checkpoints.position('s') })).pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        mapValues((n: number) => String(n)),
        exactlyOnceSink<string>(
          async (values) => {
            commits.push(...values);
          },
          { uid: 'sink' },
        ),
      );
    const strict = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'v', store }), interval: 1 });
    await expect(run(pipelineOf(strict, []))).rejects.toThrow(StateVersionError);
    const commits: string[] = [];
    const migrating = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'v', store }),
      interval: 1,
      migrate: ({ uid, fromVersion, snapshot }) => {
        expect([uid, fromVersion]).toEqual(['sink', 0]);
        const old = snapshot.state as { uncommitted: [number, string[]][] };
        return {
          stateVersion: 1,
          state: { pending: old.uncommitted.map(([checkpointId, values]) => ({ checkpointId, values })) },
        };
      },
    });
    await run(pipelineOf(migrating, commits));
    expect(commits).toEqual(['old']);
  });

  it('a savepoint is kept past retention and restores by name', async () => {
    const store = new MemoryBlobStore();
    // Full checkpoints only, so that retention (keep: 1) leaves exactly one checkpoint beside the savepoint.
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'sp', store, keep: 1 }),
      interval: 1,
      incremental: false,
    });
    const totals: number[] = [];
    let savepoint: Promise<unknown> | undefined;
    await run(
      checkpoints.source('s', fromIterable([1, 2, 3, 4, 5, 6], { batchSize: 1, yieldAfterMs: 0 })).pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        keyBy(() => 'all'),
        rollingReduce((x: number, y: number) => x + y, { uid: 'sum' }),
        toValues(),
        tap((total) => {
          totals.push(total);
          if (total === 6) savepoint = checkpoints.savepoint('after-three');
        }),
      ),
    );
    await checkpoints.whenFinished();
    const info = (await savepoint) as { kind: string; name: string };
    expect([info.kind, info.name]).toEqual(['savepoint', 'after-three']);
    const listed = await memoryBackend({ pipelineId: 'sp', store }).list();
    expect(listed.map((s) => s.kind)).toEqual(['savepoint', 'checkpoint']);
    const restored = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'sp', store }),
      interval: 1,
      restore: { name: 'after-three' },
    });
    const position = (restored.restored!.sources['s'] as { index: number }).index;
    const after: number[] = [];
    await run(
      restored.source('s', fromIterable([1, 2, 3, 4, 5, 6], { from: restored.position('s'), batchSize: 1 })).pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        keyBy(() => 'all'),
        rollingReduce((x: number, y: number) => x + y, { uid: 'sum' }),
        toValues(),
        tap((total) => after.push(total)),
      ),
    );
    // The running sum goes on from where the savepoint's barrier was, over the values after it.
    expect(after).toEqual(totals.slice(position));
  });
});

describe('checkpoint failures', () => {
  it('a failed save fails the pipeline by default and leaves the stored checkpoints intact', async () => {
    const store = new MemoryBlobStore();
    const backend = memoryBackend({ pipelineId: 'f', store });
    const checkpoints = await startCheckpointing({ backend, interval: 1 });
    let saves = 0;
    const save = backend.save.bind(backend);
    backend.save = async (snapshot) => {
      if (++saves === 3) throw new Error('disk full');
      return save(snapshot);
    };
    await expect(run(pipeline(checkpoints, new Map()))).rejects.toThrow('disk full');
    await expect(checkpoints.whenFinished()).rejects.toThrow('disk full');
    expect((await memoryBackend({ pipelineId: 'f', store }).list()).map((s) => s.checkpointId)).toEqual([1, 2]);
  });

  it('with tolerableFailures, a failed save is counted, the next checkpoint is full, and the pipeline goes on', async () => {
    const backend = memoryBackend({ pipelineId: 't' });
    const checkpoints = await startCheckpointing({ backend, interval: 1, tolerableFailures: 1 });
    let saves = 0;
    const save = backend.save.bind(backend);
    backend.save = async (snapshot) => {
      if (++saves === 2) throw new Error('transient');
      return save(snapshot);
    };
    const commits = new Map<number, string[]>();
    await run(pipeline(checkpoints, commits));
    await checkpoints.whenFinished();
    expect(checkpoints.stats.failed).toBe(1);
    expect(committed(commits).sort()).toEqual((await reference()).sort());
  });

  it('a barrier held too long aborts the checkpoint after the timeout, naming what held it', async () => {
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'slow' }),
      interval: 1,
      timeout: 20,
    });
    const failure = run(
      checkpoints.source('s', fromIterable([1, 2, 3], { batchSize: 1, yieldAfterMs: 0 })).pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        asyncSink(() => new Promise(() => {}), { name: 'stuck-sink' }),
      ),
    );
    await expect(failure).rejects.toThrow(/still waiting after 20 ms for the barrier held by stuck-sink/);
  });
});

describe('a push source in a checkpointed pipeline (no replay: documented at most once for it)', () => {
  it('takes part in checkpoints: barriers between its batches, its emitted count as position, merged with a pulled source', async () => {
    const backend = memoryBackend({ pipelineId: 'push' });
    const checkpoints = await startCheckpointing({ backend, interval: 1 });
    const clicks = new Subject<number>();
    const totals: number[] = [];
    const done = run(
      mergeTimed(
        checkpoints.source('clicks', fromPush(clicks, { bufferSize: 100, overflow: 'error', batchSize: 2 })).pipe(
          withEventTimeBatches({
            timestamp: (n: number) => n,
            watermarks: boundedOutOfOrderness(0),
            uid: 'clicks-entry',
          }),
        ),
        checkpoints
          .source(
            'rows',
            fromIterable([100, 200, 300], { from: checkpoints.position('rows'), batchSize: 1, yieldAfterMs: 0 }),
          )
          .pipe(
            withEventTimeBatches({
              timestamp: (n: number) => n,
              watermarks: boundedOutOfOrderness(0),
              uid: 'rows-entry',
            }),
          ),
      ).pipe(
        keyBy(() => 'all'),
        rollingReduce((x: number, y: number) => x + y, { uid: 'total' }),
        toValues(),
        tap((total) => totals.push(total)),
      ),
    );
    for (let i = 1; i <= 5; i++) {
      clicks.next(i);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    clicks.complete();
    await done;
    const final = await checkpoints.whenFinished();
    expect(checkpoints.stats.completed).toBeGreaterThan(1);
    const last = await backend.load(final!.checkpointId);
    expect(last!.sources).toEqual({ clicks: { emitted: 5 }, rows: { index: 3 } });
    expect(totals.at(-1)).toBe(615);
    expect(last!.operators['total']!.keyed?.[`${keyGroupOf('all')}/state:rolling-reduce`]).toMatchObject({
      kind: 'full',
      keys: ['all'],
      values: [615],
    });
  });
});

describe('manual checkpoints and read-only backends', () => {
  const sums = (checkpoints: Checkpointing, values: number[], out: number[]) =>
    checkpoints
      .source('s', fromIterable(values, { from: checkpoints.position('s'), batchSize: 1, yieldAfterMs: 0 }))
      .pipe(
        withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        keyBy(() => 'all'),
        rollingReduce((x: number, y: number) => x + y, { uid: 'sum' }),
        toValues(),
        tap((total) => out.push(total)),
      );

  it('a failed savepoint rejects the call and the pipeline goes on', async () => {
    const backend = memoryBackend({ pipelineId: 'sp-fail' });
    const save = backend.save.bind(backend);
    backend.save = async (snapshot) => {
      if (snapshot.kind === 'savepoint') throw new Error('no room for savepoints');
      return save(snapshot);
    };
    const checkpoints = await startCheckpointing({ backend, interval: 1 });
    const out: number[] = [];
    let failure: Promise<unknown> | undefined;
    const done = run(
      sums(checkpoints, [1, 2, 3, 4], out).pipe(
        tap(() => {
          failure ??= checkpoints.savepoint('x').then(
            () => 'stored',
            (error: Error) => error.message,
          );
        }),
      ),
    );
    await done;
    expect(await failure).toBe('no room for savepoints');
    expect(out).toEqual([1, 3, 6, 10]);
    await expect(checkpoints.whenFinished()).resolves.toBeDefined();
  });

  it('a read-only backend (another tab owns the pipeline) restores but never writes', async () => {
    const store = new MemoryBlobStore();
    const backend = memoryBackend({ pipelineId: 'ro', store });
    const writer = await startCheckpointing({ backend, interval: 60_000 });
    // The writer stops after a checkpoint at the third value (a finished pipeline is not restored).
    await new Promise<void>((resolve) => {
      const subscription = sums(writer, [1, 2, 3, 4, 5], [])
        .pipe(
          tap((total) => {
            if (total === 6) {
              void writer.checkpoint().then(() => {
                subscription.unsubscribe();
                resolve();
              });
            }
          }),
        )
        .subscribe();
    });
    const before = await backend.list();
    const reader = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'ro', store, readOnly: 'another tab owns it' }),
      interval: 1,
    });
    const out: number[] = [];
    await run(sums(reader, [1, 2, 3, 4, 5], out));
    await expect(reader.whenFinished()).resolves.toBeUndefined();
    // Restored after the third value (index 3), with the sum 6.
    expect(reader.position('s')).toEqual({ index: 3 });
    expect(out).toEqual([10, 15]);
    expect(reader.stats.completed).toBe(0);
    expect(await memoryBackend({ pipelineId: 'ro', store }).list()).toEqual(before);
  });
});

describe('what a checkpoint stores', () => {
  it('is the state at the barrier, even when the operator changes its objects in place afterwards', async () => {
    const backend = memoryBackend({ pipelineId: 'in-place', keep: 100 });
    // A slow disk: the pipeline runs on for a while before the snapshot is written.
    const save = backend.save.bind(backend);
    backend.save = async (snapshot) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return save(snapshot);
    };
    const checkpoints = await startCheckpointing({ backend, interval: 1, incremental: false });
    const totals: number[] = [];
    await run(
      checkpoints
        .source(
          's',
          fromIterable(
            Array.from({ length: 40 }, (_, i) => i + 1),
            { batchSize: 1, yieldAfterMs: 0 },
          ),
        )
        .pipe(
          withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
          keyBy(() => 'all'),
          mapValues((n: number) => ({ sum: n })),
          // A reduce that mutates its accumulator in place, as users do.
          rollingReduce(
            (acc: { sum: number }, next: { sum: number }) => {
              acc.sum += next.sum;
              return acc;
            },
            { uid: 'sum' },
          ),
          toValues(),
          tap((total) => totals.push(total.sum)),
        ),
    );
    await checkpoints.whenFinished();
    for (const info of await backend.list()) {
      const snapshot = (await backend.load(info.checkpointId))!;
      const index = (snapshot.sources['s'] as { index: number }).index;
      const stored = snapshot.operators['sum']!.keyed?.[`${keyGroupOf('all')}/state:rolling-reduce`];
      const expected = index === 0 ? [] : [{ sum: (index * (index + 1)) / 2 }];
      expect(stored?.values ?? []).toEqual(expected);
    }
  });
});

describe('requests that cannot be served', () => {
  it('a savepoint asked for after every source has finished is refused at once', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'late-sp' }), interval: 1 });
    await run(
      checkpoints
        .source('s', fromIterable([1, 2], { batchSize: 1 }))
        .pipe(
          withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        ),
    );
    await checkpoints.whenFinished();
    await expect(checkpoints.savepoint('too-late')).rejects.toThrow(/every source of the pipeline has finished/);
  });

  it('a checkpoint asked for before the pipeline runs is refused at once', async () => {
    const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'early' }), interval: 1 });
    checkpoints.source('s', fromIterable([1, 2]));
    await expect(checkpoints.checkpoint()).rejects.toThrow(/not every source of the pipeline is running/);
  });
});
