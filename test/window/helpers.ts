import { keyedRecord, watermark, type StreamElement, type StreamRecord } from '../../src/core/elements.js';
import { keyGroupOf, type Key } from '../../src/core/keys.js';
import type { OperatorRuntime } from '../../src/core/operator.js';
import { OperatorHarness } from '../../src/testing/harness.js';
import type { WindowAssigner } from '../../src/window/assigners.js';
import type { WindowFunction, WindowOptions, WindowResult } from '../../src/window/operator.js';
import { WindowOperator } from '../../src/window/snapshotting-operator.js';

export type Tuple = readonly [string, number];

/** A keyed record of ("key", value) at `ts`, keyed by the first field, as Flink's TupleKeySelector. */
export function tup(key: string, value: number, ts: number): StreamRecord<Tuple, string> {
  return keyedRecord([key, value] as const, ts, key, keyGroupOf(key));
}

export function rec<T, K extends Key>(value: T, ts: number, key: K): StreamRecord<T, K> {
  return keyedRecord(value, ts, key, keyGroupOf(key));
}

export const wm = watermark;

export function windowOp<T, K, R>(
  assigner: WindowAssigner<NoInfer<T>>,
  fn: WindowFunction<T, R, K>,
  options: WindowOptions<NoInfer<T>, K> & { keyed?: boolean } = {},
): (runtime: OperatorRuntime) => WindowOperator<T, K, R> {
  return (runtime) => new WindowOperator<T, K, R>({ keyed: true, ...options, assigner, fn }, runtime);
}

export function harness<T, K, R>(
  create: (runtime: OperatorRuntime) => WindowOperator<T, K, R>,
  startTime = 0,
): OperatorHarness<T, K, WindowResult<K, R>, K> {
  return new OperatorHarness(create, { startTime });
}

/** Renders output as strings, e.g. "key1 [0,3000) 3 @2999" and "W999"; records between two watermarks are sorted (as Flink's assertOutputEqualsSorted). */
export function show(out: readonly StreamElement<WindowResult<unknown, unknown>, unknown>[]): string[] {
  const lines: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    lines.push(...run.sort());
    run = [];
  };
  for (const e of out) {
    if (e.kind === 'record') {
      const r = e.value;
      run.push(`${String(r.key)} [${r.window.start},${r.window.end}) ${fmt(r.value)} @${e.timestamp}`);
    } else if (e.kind === 'watermark') {
      flush();
      lines.push(`W${e.timestamp}`);
    } else {
      flush();
      lines.push(e.kind);
    }
  }
  flush();
  return lines;
}

function fmt(v: unknown): string {
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string') return String(v[1]);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Sum reducer over tuples, as Flink's WindowOperatorTest SumReducer. */
export const sumTuples = (a: Tuple, b: Tuple): Tuple => [a[0], a[1] + b[1]];

export const reduceFn = <T>(reduce: (a: T, b: T) => T): WindowFunction<T, T, string> => ({ kind: 'reduce', reduce });

/** Number of live windows of the harness's WindowOperator, over all keys. */
export function liveWindows(h: { readonly operator: unknown }): number {
  return (h.operator as { readonly windowCount: number }).windowCount;
}
