import { firstValueFrom, from, Observable, toArray, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  InvalidKeyError,
  SideOutput,
  keyBy,
  record,
  watermark,
  type Key,
  type StreamBatch,
  type StreamElement,
  type StreamRecord,
} from '../../src/index.js';
import { keyGroupOf } from '../../src/core/keys.js';
import type { OperatorRuntime } from '../../src/core/operator.js';
import { WindowOperator, type WindowOperatorState } from '../../src/engine/index.js';
import { harness, rec, show, wm } from './helpers.js';
import {
  combine,
  count,
  eventTimeSessionWindows,
  slidingEventTimeWindows,
  sum,
  tumblingEventTimeWindows,
  window,
  type WindowedStream,
  type WindowOperatorFunction,
} from '../../src/window/index.js';

// keyBy directly followed by window() is fused into one operator (no keyed record per input record).
// These tests run each pipeline fused and, with an identity stage in between, not fused, and expect
// the very same output batches, side output and errors.

type Ev = { k: string; v: number };
const ev = (k: string, v: number, t: number): StreamElement<Ev> => record({ k, v }, t);

/** A pass-through stage that hides keyBy's output from window(), which then cannot fuse. */
function opaque<T>(): OperatorFunction<T, T> {
  return (source) => new Observable<T>((subscriber) => source.subscribe(subscriber));
}

async function run<R>(
  batches: StreamElement<Ev>[][],
  select: (e: Ev) => Key,
  windowed: WindowOperatorFunction<Ev, Key, R>,
  fused: boolean,
): Promise<StreamBatch<unknown, unknown>[]> {
  const keyed = from(batches).pipe(keyBy(select, { maxParallelism: 16 }));
  const input = fused ? keyed : keyed.pipe(opaque());
  return firstValueFrom(input.pipe(windowed, toArray()));
}

async function expectSame<R>(
  batches: StreamElement<Ev>[][],
  select: (e: Ev) => Key,
  build: () => WindowOperatorFunction<Ev, Key, R>,
): Promise<void> {
  const fused = await run(batches, select, build(), true);
  const plain = await run(batches, select, build(), false);
  expect(fused.length).toBeGreaterThan(0);
  expect(fused).toEqual(plain);
}

const batches = [
  [ev('a', 1, 100), ev('b', 5, 200), ev('a', 3, 900)],
  [ev('a', 10, 1500), watermark(999)],
  [ev('b', 2, 1999), ev('c', 7, 600), watermark(2500)],
  [ev('a', 4, 2600)],
];

describe('keyBy fused with window()', () => {
  const tumbling = (): WindowedStream<Ev, Key> => window<Ev, Key>(tumblingEventTimeWindows(1000));

  it('gives the same batches as the unfused pipeline: tumbling, sliding, sessions', async () => {
    await expectSame(
      batches,
      (e) => e.k,
      () => tumbling().aggregate(combine({ n: count(), s: sum((e: Ev) => e.v) })),
    );
    await expectSame(
      batches,
      (e) => e.k,
      () => window<Ev, Key>(slidingEventTimeWindows(1000, 500)).aggregate(count()),
    );
    await expectSame(
      batches,
      (e) => e.k,
      () => window<Ev, Key>(eventTimeSessionWindows(300)).reduce((a, b) => ({ k: a.k, v: a.v + b.v })),
    );
  });

  it('keys by tuples and numbers as keyBy does (key and key group of every result)', async () => {
    await expectSame(
      batches,
      (e) => [e.k, e.v % 2] as const,
      () => tumbling().aggregate(sum((e: Ev) => e.v)),
    );
    await expectSame(
      batches,
      (e) => e.v,
      () => tumbling().aggregate(count()),
    );
  });

  it('sends the records keyBy would have emitted to the late side output', async () => {
    const late = (): [SideOutput<StreamRecord<Ev, Key>>, StreamRecord<Ev, Key>[]] => {
      const output = new SideOutput<StreamRecord<Ev, Key>>('late');
      const seen: StreamRecord<Ev, Key>[] = [];
      output.subscribe((r) => seen.push(r));
      return [output, seen];
    };
    const [fusedOut, fusedSeen] = late();
    const [plainOut, plainSeen] = late();
    const withLate = [...batches, [watermark(3000), ev('z', 1, 50)]];
    const fused = await run(withLate, (e) => e.k, tumbling().sideOutputLateData(fusedOut).aggregate(count()), true);
    const plain = await run(withLate, (e) => e.k, tumbling().sideOutputLateData(plainOut).aggregate(count()), false);
    expect(fused).toEqual(plain);
    expect(fusedSeen.map((r) => r.value.k)).toEqual(['c', 'z']);
    expect(fusedSeen).toEqual(plainSeen);
  });

  it('raises the InvalidKeyError keyBy raises', async () => {
    const bad = [[ev('a', 1, 1), record({ k: undefined as unknown as string, v: 2 }, 2)]];
    const failure = (fused: boolean): Promise<unknown> =>
      run(bad, (e) => e.k, tumbling().aggregate(count()), fused).then(
        () => null,
        (e: unknown) => e,
      );
    const fused = await failure(true);
    expect(fused).toBeInstanceOf(InvalidKeyError);
    expect(fused).toEqual(await failure(false));
  });

  it('leaves keyBy alone usable, and the same keyed stream usable by several windows', async () => {
    const keyed = from(batches).pipe(keyBy((e: Ev) => e.k));
    const records = (await firstValueFrom(keyed.pipe(toArray()))).flat().filter((e) => e.kind === 'record');
    expect(records.map((r) => (r.kind === 'record' ? r.key : null))).toEqual(['a', 'b', 'a', 'a', 'b', 'c', 'a']);
    const a = await firstValueFrom(keyed.pipe(tumbling().aggregate(count()), toArray()));
    const b = await firstValueFrom(keyed.pipe(tumbling().aggregate(count()), toArray()));
    expect(a).toEqual(b);
  });

  // The fused keyBy keeps no key group per window on the pane table: it computes them for records
  // out and for snapshots, which must hold the groups keyBy would have attached.
  it("exports the key groups keyBy would have attached, and each restores the other's state", () => {
    const create = (fused: boolean) => (runtime: OperatorRuntime) =>
      new WindowOperator<Ev, string, unknown>(
        {
          assigner: tumblingEventTimeWindows(1000),
          fn: { kind: 'aggregate', aggregate: combine({ n: count(), s: sum((e: Ev) => e.v) }) as never },
          keyed: true,
          ...(fused ? { keyBy: { selectKey: (e: Ev) => e.k, maxParallelism: 128 } } : {}),
        },
        runtime,
      );
    const events: [string, number, number][] = [
      ['a', 1, 100],
      ['b', 5, 1200],
      ['a', 3, 900],
      ['c', 7, 1300],
      ['d', 2, 2100],
    ];
    const states = [true, false].map((fused) => {
      const h = harness(create(fused));
      h.process(...events.map(([k, v, t]) => rec({ k, v }, t, k)), wm(999));
      return h.operator.snapshotState!() as WindowOperatorState;
    });
    expect(states[0]).toEqual(states[1]);
    expect(states[0]!.keys.map((k) => [k.key, k.keyGroup])).toEqual(['b', 'c', 'd'].map((k) => [k, keyGroupOf(k)]));
    const outputs = [
      [true, false],
      [false, true],
    ].map(([from, to]) => {
      const h = harness(create(to!));
      h.operator.restoreState!(structuredClone(states[from ? 0 : 1]!));
      h.process(rec({ k: 'b', v: 1 }, 1500, 'b'), wm(2999));
      return h.takeOutput();
    });
    expect(outputs[0]).toEqual(outputs[1]);
    expect(show(outputs[0] as never)).toContain('b [1000,2000) {"n":2,"s":6} @1999');
  });
});
