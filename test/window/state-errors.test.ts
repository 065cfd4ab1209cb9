// Issue 17 item 11: window state that cannot be exported fails the checkpoint with a typed error
// that names the operator's uid and the path of the offending part, as keyedProcess does; Map and Set
// are named in messages instead of showing as {}.
import { describe, expect, it } from 'vitest';
import {
  boundedOutOfOrderness,
  fromAsyncIterable,
  keyBy,
  memoryBackend,
  startCheckpointing,
  StateExportError,
  StateNotSerializableError,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
  type WindowAggregateFunction,
  type WindowedStream,
  type WindowOperatorFunction,
} from '../../src/index.js';
import { describeValue } from '../../src/engine/index.js';
import { openInput } from '../checkpoint/plain-state.js';

interface Item {
  readonly i: number;
  readonly v: unknown;
}

/** Runs the items into `finish(window)`, takes a checkpoint once they are in, and returns how the pipeline failed. */
async function checkpointFailure(
  values: unknown[],
  finish: (w: WindowedStream<Item, string>) => WindowOperatorFunction<Item, string, unknown>,
): Promise<unknown> {
  const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'errors' }), interval: 1e9 });
  const open = openInput(values);
  try {
    return await new Promise<unknown>((resolve) => {
      let seen = 0;
      checkpoints
        .source('in', fromAsyncIterable(open.items, { batchSize: 1 }))
        .pipe(
          withEventTimeBatches({
            timestamp: (item: Item) => item.i,
            watermarks: boundedOutOfOrderness(0),
            uid: 'entry',
          }),
          keyBy(() => {
            if (++seen === values.length) void checkpoints.checkpoint().catch(() => undefined);
            return 'k';
          }),
          finish(window(tumblingEventTimeWindows(1e12), { uid: 'sessions' })),
          toValues(),
        )
        .subscribe({ error: resolve, complete: () => resolve('completed') });
    });
  } finally {
    open.close();
    await checkpoints.close();
  }
}

function cyclic(): Record<string, unknown> {
  const value: Record<string, unknown> = { name: 'a' };
  value.self = value;
  return value;
}

describe('window state that cannot be exported (issue 17 item 11)', () => {
  it('cyclic state in a window gives an untyped RangeError: a cyclic element is a StateNotSerializableError naming the uid and the path', async () => {
    const error = await checkpointFailure([1, cyclic()], (w) =>
      w.process((elements, _ctx, out) => out.collect(elements.length)),
    );
    expect(error).toBeInstanceOf(StateNotSerializableError);
    const e = error as StateNotSerializableError;
    expect(e.where).toEqual({ uid: 'sessions' });
    expect(e.path).toMatch(/\.values\[1\]\.v\.self$/);
    expect(e.message).toMatch(/"sessions".*circular reference/);
  });

  it('cyclic state in a window gives an untyped RangeError: a cyclic accumulator is a StateNotSerializableError naming the uid and the path', async () => {
    const keepLast: WindowAggregateFunction<Item, Record<string, unknown>, number> = {
      createAccumulator: () => ({}),
      add: (item, acc) => (typeof item.v === 'object' ? (item.v as Record<string, unknown>) : acc),
      getResult: () => 1,
      merge: (a) => a,
    };
    const error = await checkpointFailure([cyclic()], (w) => w.aggregate(keepLast));
    expect(error).toBeInstanceOf(StateNotSerializableError);
    const e = error as StateNotSerializableError;
    expect(e.where).toEqual({ uid: 'sessions', state: 'window accumulator' });
    expect(e.path).toBe('accumulator.self');
  });

  it('messages for Map and Set show {}: they name the type', async () => {
    expect(describeValue(new Map([['a', 1]]))).toBe('Map(1)');
    expect(describeValue(new Set([1, 2]))).toBe('Set(2)');
    const asMap: WindowAggregateFunction<Item, Map<number, number>, number> = {
      createAccumulator: () => new Map(),
      add: (item, acc) => acc.set(item.i, 1),
      getResult: (acc) => acc.size,
      merge: (a) => a,
    };
    const error = await checkpointFailure([1], (w) => w.aggregate(asMap));
    expect(error).toBeInstanceOf(StateExportError);
    expect((error as Error).message).toContain('accumulator Map(1)');
    expect((error as Error).message).toContain('"sessions"');
  });
});
