import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tap, type Observable, type Subscription } from 'rxjs';
import {
  boundedOutOfOrderness,
  fromIterable,
  keyBy,
  listState,
  mapState,
  memoryBackend,
  rollingReduce,
  startCheckpointing,
  toValues,
  valueState,
  watermark,
  withEventTimeBatches,
  type Checkpointing,
  type StreamElement,
} from '../../src/index.js';
import { keyedRecord, keyGroupOf, MemoryBlobStore } from '../../src/engine/index.js';
import { applyDeltas, type Snapshot } from '../../src/checkpoint/snapshot.js';
import { KeyedProcessOperator, type KeyedProcessFunction } from '../../src/keyed/index.js';
import { OperatorHarness } from '../../src/testing/index.js';
import { pending, snapshotOf } from '../fixtures/state-format/snapshots.js';
import { merged } from './grouped-tables.js';
import { feed, finish, inputOps, type InputOp } from './process-inputs.js';

describe('keyedProcess: incremental checkpoints of state and timers', () => {
  const seen = valueState<number>('seen', { ttl: { ttl: 30 } });
  const recent = listState<number>('recent');
  const parity = mapState<string, number>('parity');

  /** State of three kinds and timers of both domains, some deleted, some registered while firing. */
  const fn: KeyedProcessFunction<number, number, string> = {
    processElement(value, ctx) {
      const s = ctx.getState(seen);
      ctx.output(`k${ctx.key} v${value} seen=${s.value()} recent=${ctx.getListState(recent).get().join(',')}`);
      s.update((s.value() ?? 0) + 1);
      if (value % 4 === 0) ctx.getListState(recent).clear();
      else ctx.getListState(recent).add(value);
      ctx.getMapState(parity).put(value % 2 ? 'odd' : 'even', value);
      ctx.timerService.registerEventTimeTimer(ctx.timestamp + (value % 5));
      if (value % 3 === 0) ctx.timerService.registerProcessingTimeTimer(ctx.currentProcessingTime() + (value % 7) + 1);
      if (value % 6 === 1) ctx.timerService.deleteEventTimeTimer(ctx.timestamp + 1);
    },
    onTimer(time, ctx) {
      ctx.output(`${ctx.timeDomain} k${ctx.key} @${time} parity=${JSON.stringify(ctx.getMapState(parity).entries())}`);
      if (ctx.timeDomain === 'EVENT_TIME' && time % 3 === 0) ctx.timerService.registerEventTimeTimer(time + 2);
      if (time % 5 === 0) ctx.getMapState(parity).clear();
    },
  };

  type Op = InputOp | { op: 'checkpoint'; incremental: boolean } | { op: 'restore' };

  const ops = fc.array(
    fc.oneof(
      ...inputOps(7, 40, 9),
      {
        weight: 2,
        arbitrary: fc.record({
          op: fc.constant('checkpoint' as const),
          incremental: fc.constantFrom(true, true, false),
        }),
      },
      { weight: 1, arbitrary: fc.constant({ op: 'restore' as const }) },
    ),
    { maxLength: 100 },
  );

  /** Runs `input`; with `restores`, a 'restore' replaces the operator by one restored from the checkpoint chain. */
  function run(input: readonly Op[], restores: boolean): StreamElement<string, number>[] {
    const create = (startTime: number) =>
      new OperatorHarness((rt) => new KeyedProcessOperator<number, number, string>(fn, { uid: 'p' }, rt), {
        startTime,
      });
    let h = create(0);
    const output: StreamElement<string, number>[] = [];
    let chain: Snapshot[] = [];
    let id = 0;
    const clock = { wm: 0 };
    for (const o of input) {
      if (feed(h, o, clock)) continue;
      if (o.op === 'checkpoint') {
        // Stored as a backend stores it: a copy, taken at the barrier.
        const state = structuredClone(h.operator.snapshotCheckpoint!(pending(++id, o.incremental)));
        const full = Object.values(state.keyed ?? {}).every((t) => t.kind === 'full');
        if (!o.incremental) expect(full).toBe(true);
        chain = full ? [snapshotOf(id, { p: state })] : [...chain, snapshotOf(id, { p: state }, id - 1)];
      } else if (o.op === 'restore' && restores && chain.length > 0) {
        const latest = applyDeltas(chain[0]!, chain.slice(1));
        output.push(...h.takeOutput());
        h.operator.dispose!();
        h = create(h.now);
        h.operator.restoreCheckpoint!(latest.operators['p']!);
      }
    }
    output.push(...finish(h));
    return output;
  }

  it('property: restoring the chain of full and incremental checkpoints gives the state at the last checkpoint', () => {
    // Each restore follows a checkpoint, so that restoring must not change the output of the run.
    fc.assert(
      fc.property(ops, (input) => {
        const aligned: Op[] = [];
        for (const o of input) {
          if (o.op === 'restore') aligned.push({ op: 'checkpoint', incremental: true });
          aligned.push(o);
        }
        expect(run(aligned, true)).toEqual(run(aligned, false));
      }),
      { numRuns: 300 },
    );
  });

  it('an incremental checkpoint lists only the keys whose state or timers changed', () => {
    const h = new OperatorHarness((rt) => new KeyedProcessOperator<number, number, string>(fn, { uid: 'p' }, rt));
    for (let k = 0; k < 50; k++) h.process(keyedRecord(2, 101, k, keyGroupOf(k))); // an event-time timer at 103 each
    const first = h.operator.snapshotCheckpoint!(pending(1, true));
    expect(Object.values(first.keyed!).every((t) => t.kind === 'full')).toBe(true);
    expect(merged(first.keyed!, 'state:seen').keys).toHaveLength(50);
    expect(merged(first.keyed!, 'timers:event-time').keys).toHaveLength(50);
    // Grouped by key group: the state and the timers of a key are in the tables of its group.
    for (let k = 0; k < 50; k++) expect(first.keyed![`${keyGroupOf(k)}/state:seen`]!.keys).toContain(k);
    h.process(keyedRecord(3, 101, 7, keyGroupOf(7))); // timers at 104 (event time) and 4 (processing time)
    h.process(watermark(103)); // fires every key's timer at 103: their timer rows are deleted
    const second = h.operator.snapshotCheckpoint!(pending(2, true));
    const g7 = keyGroupOf(7);
    expect(second.keyed![`${g7}/state:seen`]).toEqual({ kind: 'delta', keys: [7], values: [[2, 0]], deletes: [] });
    expect(second.keyed![`${g7}/state:recent`]).toEqual({ kind: 'delta', keys: [7], values: [[2, 3]], deletes: [] });
    // Every group exported before is listed again, as an empty delta when nothing in it changed.
    expect(merged(second.keyed!, 'state:seen')).toMatchObject({
      kinds: ['delta'],
      keys: [7],
      groups: merged(first.keyed!, 'state:seen').groups,
    });
    const timers = merged(second.keyed!, 'timers:event-time');
    expect([timers.kinds, timers.keys, timers.deletes.length]).toEqual([['delta'], [7], 49]);
    expect(merged(second.keyed!, 'timers:processing-time')).toMatchObject({ kinds: ['delta'], keys: [7], deletes: [] });
    expect(second.state).toMatchObject({ operator: 'keyedProcess', watermark: 103 });
  });
});

describe('rollingReduce: incremental checkpoints through a running pipeline', () => {
  const KEYS = 400;
  /** Every key once, then 600 records on 8 hot keys only. */
  const values: [string, number][] = [
    ...Array.from({ length: KEYS }, (_, i): [string, number] => [`k${i}`, i]),
    ...Array.from({ length: 600 }, (_, i): [string, number] => [`k${(i * 3) % 8}`, i]),
  ];

  /** Running sums per key; a checkpoint is requested after every 60 results once all keys are there. */
  function pipeline(checkpoints: Checkpointing, results: string[]): Observable<unknown> {
    return checkpoints
      .source('s', fromIterable(values, { from: checkpoints.position('s'), batchSize: 10, yieldAfterMs: 0 }))
      .pipe(
        withEventTimeBatches({ timestamp: () => 0, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
        keyBy(([key]: [string, number]) => key),
        rollingReduce((a: [string, number], b: [string, number]): [string, number] => [a[0], a[1] + b[1]], {
          uid: 'sums',
        }),
        toValues(),
        tap(([key, sum]) => {
          results.push(`${key}=${sum}`);
          if (results.length >= KEYS && results.length % 60 === 0) void checkpoints.checkpoint().catch(() => undefined);
        }),
      );
  }

  it('stores deltas of the changed keys only, with a full one every maxChainLength + 1, and restores the same running values', async () => {
    const reference: string[] = [];
    const uninterrupted = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'ref' }), interval: 1e9 });
    await new Promise<void>((resolve, reject) =>
      pipeline(uninterrupted, reference).subscribe({ error: reject, complete: resolve }),
    );

    const store = new MemoryBlobStore();
    const backend = memoryBackend({ pipelineId: 'sums', store, maxChainLength: 3, keep: 20 });
    const saved: Snapshot[] = [];
    const save = backend.save.bind(backend);
    backend.save = (snapshot) => {
      saved.push(structuredClone(snapshot));
      return save(snapshot);
    };
    const first = await startCheckpointing({ backend, interval: 1e9 });
    const before: string[] = [];
    let subscription: Subscription | undefined;
    // Crashes (the pipeline is dropped, nothing more is stored) once the sixth checkpoint is stored.
    await new Promise<void>((resolve, reject) => {
      first.completed.subscribe(() => {
        if (first.stats.completed !== 6) return;
        first.stop();
        subscription?.unsubscribe();
        resolve();
      });
      subscription = pipeline(first, before).subscribe({ error: reject, complete: resolve });
    });

    const listed = await backend.list();
    expect(listed.map((s) => s.chainLength)).toEqual([0, 1, 2, 3, 0, 1]);
    expect(listed.slice(1, 4).map((s) => s.parentCheckpointId)).toEqual(listed.slice(0, 3).map((s) => s.checkpointId));
    let previous = 0;
    for (const snapshot of saved) {
      const table = merged(snapshot.operators['sums']!.keyed!, 'state:rolling-reduce');
      const index = (snapshot.sources['s'] as { index: number }).index;
      if (snapshot.parentCheckpointId === undefined) {
        expect(table.kinds).toEqual(['full']);
        expect(table.keys).toHaveLength(KEYS);
      } else {
        // Exactly the keys of the records read since the previous checkpoint (a few of the 8 hot keys), not 400.
        const changed = new Set(values.slice(previous, index).map(([key]) => key));
        expect(table.kinds).toEqual(['delta']);
        expect(new Set(table.keys)).toEqual(changed);
        expect(table.keys.length).toBeLessThanOrEqual(8);
      }
      previous = index;
    }
    // Restore from the latest (an incremental one, chain of 1) and run to the end.
    const second = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'sums', store, maxChainLength: 3 }),
      interval: 1e9,
    });
    expect(second.restored!.checkpointId).toBe(listed.at(-1)!.checkpointId);
    const position = (second.restored!.sources['s'] as { index: number }).index;
    expect(position).toBeGreaterThan(KEYS);
    const after: string[] = [];
    await new Promise<void>((resolve, reject) =>
      pipeline(second, after).subscribe({ error: reject, complete: resolve }),
    );
    expect(after).toEqual(reference.slice(position));
  });
});
