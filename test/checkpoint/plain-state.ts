/**
 * Helpers for tests of what state comes back after a real checkpoint and restore: a pipeline that
 * holds the same values in an exactlyOnceSink's transaction, in keyed list state and in a window's
 * accumulator, is checkpointed, dropped (a crash before the sink's commit), restored through the
 * backend's bytes, and run to its end.
 */
import {
  keyBy,
  keyedProcess,
  listState,
  startCheckpointing,
  fromAsyncIterable,
  exactlyOnceSink,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
  boundedOutOfOrderness,
  type CheckpointBackend,
  type Checkpointing,
  type WindowAggregateFunction,
} from '../../src/index.js';
import type { Observable, Subscription } from 'rxjs';
import type { Key, WindowResult } from '../../src/index.js';

interface Item {
  readonly i: number;
  readonly v: unknown;
}
type Out = { readonly from: 'keyed'; readonly values: unknown[] } | { readonly from: 'raw'; readonly v: unknown };

const stored = listState<unknown>('stored');
/** Far beyond every record: the keyed timer and the window fire only at the end of input. */
const LATER = 1e12;

/** Keeps every element in an array accumulator: exported with the window's own copy. */
const collect: WindowAggregateFunction<Out, Out[], Out[]> = {
  createAccumulator: () => [],
  add: (value, acc) => {
    acc.push(value);
    return acc;
  },
  getResult: (acc) => acc,
  merge: (a, b) => a.concat(b),
};

/** Items, then an input that stays open until `close` is called (so a checkpoint can come first). */
export function openInput(values: readonly unknown[]): { items: AsyncIterable<Item>; close: () => void } {
  let close!: () => void;
  const closed = new Promise<void>((resolve) => (close = resolve));
  async function* items(): AsyncGenerator<Item> {
    for (let i = 0; i < values.length; i++) yield { i, v: values[i] };
    await closed;
  }
  return { items: items(), close };
}

function pipeline(
  checkpoints: Checkpointing,
  input: AsyncIterable<Item>,
  commits: unknown[][],
  seen: () => void,
): Observable<WindowResult<Key, Out[]>> {
  return checkpoints.source('in', fromAsyncIterable(input, { from: checkpoints.position('in'), batchSize: 1 })).pipe(
    withEventTimeBatches({ timestamp: (item: Item) => item.i, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
    exactlyOnceSink<Item, undefined>(async (values) => void commits.push(values.map((item) => item.v)), {
      uid: 'sink',
    }),
    keyBy(() => 'k'),
    keyedProcess<Item, string, Out>(
      {
        processElement(item, ctx) {
          ctx.getListState(stored).add(item.v);
          ctx.timerService.registerEventTimeTimer(LATER);
          ctx.output({ from: 'raw', v: item.v });
          seen();
        },
        onTimer(_time, ctx) {
          ctx.output({ from: 'keyed', values: ctx.getListState(stored).get() });
        },
      },
      { uid: 'keyed' },
    ),
    keyBy(() => 'k'),
    window(tumblingEventTimeWindows(10 * LATER), { uid: 'window' }).aggregate(collect),
    toValues(),
  );
}

/** What came back after the restore: the sink's re-committed values, the keyed list, the window's elements. */
export interface Restored {
  readonly committed: unknown[];
  readonly keyed: unknown[];
  readonly window: unknown[];
}

/**
 * Runs `values` into the pipeline, takes a checkpoint once all are in, drops the pipeline before
 * its sink commits (a crash), restores from `backend()` (a new backend on the same store) and runs
 * to the end of input.
 */
export async function throughCheckpoint(
  values: readonly unknown[],
  backend: () => CheckpointBackend,
): Promise<Restored> {
  const first = await startCheckpointing({ backend: backend(), interval: 1e9 });
  const open = openInput(values);
  let subscription: Subscription | undefined;
  await new Promise<void>((resolve, reject) => {
    let count = 0;
    const seen = (): void => {
      if (++count === values.length) void first.checkpoint().then(() => resolve(), reject);
    };
    // A crash before the commit: run 1 commits nothing.
    subscription = pipeline(first, open.items, [], seen).subscribe({ error: reject });
    if (values.length === 0) void first.checkpoint().then(() => resolve(), reject);
  });
  subscription!.unsubscribe();
  await first.close();

  const second = await startCheckpointing({ backend: backend(), interval: 1e9 });
  const commits: unknown[][] = [];
  const reopened = openInput([]);
  reopened.close();
  const outputs: Out[][] = [];
  await new Promise<void>((resolve, reject) => {
    pipeline(second, reopened.items, commits, () => undefined).subscribe({
      next: (r) => outputs.push(r.value),
      error: reject,
      complete: resolve,
    });
  });
  await second.close();
  const elements = outputs.flat();
  return {
    committed: commits.flat(),
    keyed: elements.flatMap((o) => (o.from === 'keyed' ? o.values : [])),
    window: elements.flatMap((o) => (o.from === 'raw' ? [o.v] : [])),
  };
}

/**
 * Whether `a` and `b` are the same plain data, prototypes included: own string keys (with
 * "__proto__"), null or Object prototypes, arrays, bigint, NaN and -0. Returns the path of the
 * first difference, or undefined.
 */
export function differenceOf(a: unknown, b: unknown, path = 'value'): string | undefined {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs not`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: prototypes differ`;
  const keysA = Reflect.ownKeys(a).filter((k) => k !== 'length');
  const keysB = Reflect.ownKeys(b).filter((k) => k !== 'length');
  if (JSON.stringify(keysA.map(String)) !== JSON.stringify(keysB.map(String))) {
    return `${path}: keys ${JSON.stringify(keysA.map(String))} vs ${JSON.stringify(keysB.map(String))}`;
  }
  for (const k of keysA) {
    const d = differenceOf(
      (a as Record<PropertyKey, unknown>)[k],
      (b as Record<PropertyKey, unknown>)[k],
      `${path}[${JSON.stringify(String(k))}]`,
    );
    if (d !== undefined) return d;
  }
  return undefined;
}
