import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  Counters,
  InvalidOptionError,
  NotKeyedError,
  SideOutput,
  keyBy,
  record,
  toValues,
  watermark,
  type StreamElement,
  type StreamRecord,
  type Key,
} from '../../src/index.js';
import {
  average,
  combine,
  count,
  countEvictor,
  countTrigger,
  defineTrigger,
  countWindow,
  deltaEvictor,
  dynamicEventTimeSessionWindows,
  eventTimeSessionWindows,
  globalWindows,
  max,
  min,
  quantiles,
  slidingEventTimeWindows,
  sum,
  timeEvictor,
  tumblingEventTimeWindows,
  tumblingProcessingTimeWindows,
  window,
  windowAll,
  windowStart,
  GLOBAL_WINDOW,
  type WindowResult,
} from '../../src/window/index.js';

type Ev = { k: string; v: number; t: number };
const ev = (k: string, v: number, t: number): StreamElement<Ev> => record({ k, v, t }, t);

async function collect<R>(
  elements: StreamElement<Ev>[],
  op: (s: ReturnType<typeof source>) => import('rxjs').Observable<R>,
): Promise<R[]> {
  return firstValueFrom(op(source(elements)).pipe(toArray()));
}
function source(elements: StreamElement<Ev>[]) {
  return from([elements]);
}
const fmt = (r: WindowResult<unknown, unknown>): string =>
  `${String(r.key)} [${r.window.start},${r.window.end}) ${JSON.stringify(r.value)}`;

describe('window() in an RxJS pipeline', () => {
  const input = [
    ev('a', 1, 100),
    ev('b', 5, 200),
    ev('a', 3, 900),
    ev('a', 10, 1500),
    watermark(999),
    ev('b', 2, 1999),
  ];

  it('aggregate with the built-ins: count, sum, min, max, average, combined in one pass', async () => {
    const out = await collect(input, (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        window<Ev, string>(tumblingEventTimeWindows(1000)).aggregate(
          combine({
            n: count(),
            total: sum((e: Ev) => e.v),
            lo: min((e: Ev) => e.v),
            hi: max((e: Ev) => e.v),
            mean: average((e: Ev) => e.v),
          }),
        ),
        toValues(),
      ),
    );
    expect(out.map(fmt)).toEqual([
      'a [0,1000) {"n":2,"total":4,"lo":1,"hi":3,"mean":2}',
      'b [0,1000) {"n":1,"total":5,"lo":5,"hi":5,"mean":5}',
      'a [1000,2000) {"n":1,"total":10,"lo":10,"hi":10,"mean":10}',
      'b [1000,2000) {"n":1,"total":2,"lo":2,"hi":2,"mean":2}',
    ]);
  });

  it('quantiles: p50/p95/p99 within the sketch accuracy', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ev('q', i + 1, i));
    const [r] = await collect(many, (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        window<Ev, string>(tumblingEventTimeWindows(10_000)).aggregate(quantiles((e: Ev) => e.v)),
        toValues(),
      ),
    );
    expect(r!.value.count).toBe(1000);
    expect(r!.value.p50).toBeGreaterThan(490);
    expect(r!.value.p50).toBeLessThan(510);
    expect(Math.abs(r!.value.p99 - 990) / 990).toBeLessThan(0.02);
    expect(r!.value.quantiles.map((q) => q.quantile)).toEqual([0.5, 0.95, 0.99]);
  });

  it('process gets all elements and a context (key, window, current watermark); may collect several results', async () => {
    const out = await collect(input, (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        window<Ev, string>(tumblingEventTimeWindows(1000)).process((elements: readonly Ev[], ctx, outp) => {
          outp.collect(`${ctx.key}:${elements.map((e) => e.v).join('+')}@wm=${ctx.currentWatermark}`);
          if (elements.length > 1) outp.collect('many');
        }),
        toValues(),
      ),
    );
    expect(out.map((r) => r.value)).toEqual([
      'a:1+3@wm=999',
      'many',
      'b:5@wm=999',
      'a:10@wm=Infinity',
      'b:2@wm=Infinity',
    ]);
  });

  it('reduce + process and aggregate + process: the process function gets the one pre-aggregated value', async () => {
    const addUp = (x: Ev, y: Ev): Ev => ({ ...x, v: x.v + y.v });
    const reduced = await collect(input, (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        window<Ev, string>(tumblingEventTimeWindows(1000)).reduce(addUp, (vs: readonly Ev[], ctx, o) =>
          o.collect(`${vs.length}:${vs[0]!.v}:${ctx.window.end}`),
        ),
        toValues(),
      ),
    );
    expect(reduced.map((r) => r.value)).toEqual(['1:4:1000', '1:5:1000', '1:10:2000', '1:2:2000']);
    const aggregated = await collect(input, (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        window<Ev, string>(tumblingEventTimeWindows(1000)).aggregate(count(), (ns: readonly number[], _c, o) =>
          o.collect(ns[0]! * 100),
        ),
        toValues(),
      ),
    );
    expect(aggregated.map((r) => r.value)).toEqual([200, 100, 100, 100]);
  });

  it('windowAll puts every record into the same windows; results have the key undefined', async () => {
    const out = await collect(input, (s) =>
      s.pipe(windowAll<Ev>(tumblingEventTimeWindows(1000)).aggregate(sum((e: Ev) => e.v)), toValues()),
    );
    expect(out.map(fmt)).toEqual(['undefined [0,1000) 9', 'undefined [1000,2000) 12']);
  });

  it('a keyed window on a stream without keyBy raises NotKeyedError', async () => {
    await expect(
      collect(input, (s) => s.pipe(window(tumblingEventTimeWindows(1000)).aggregate(count()) as never, toValues())),
    ).rejects.toBeInstanceOf(NotKeyedError);
  });

  it('late records go to the side output; the operator function exposes counters', async () => {
    const late = new SideOutput<StreamRecord<Ev, string>>('late');
    const seen: number[] = [];
    late.subscribe((r) => seen.push(r.value.v));
    const op = window<Ev, string>(tumblingEventTimeWindows(1000), { lateOutput: late }).aggregate(count());
    await collect([ev('a', 1, 10), watermark(1500), ev('a', 2, 20), ev('a', 3, 1200)], (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        op,
        toValues(),
      ),
    );
    expect(seen).toEqual([2]);
    expect(op.counters.get('lateRecordsToSideOutput')).toBe(1);
    const dropping = window<Ev, string>(tumblingEventTimeWindows(1000)).aggregate(count());
    await collect([watermark(1500), ev('a', 2, 20)], (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        dropping,
        toValues(),
      ),
    );
    expect(dropping.counters.get('droppedLate')).toBe(1);
  });

  it('builder methods: trigger, evictor, allowedLateness, sideOutputLateData return new configurations', async () => {
    const counters = new Counters();
    const late = new SideOutput<StreamRecord<Ev, string>>('late');
    const base = window<Ev, string>(tumblingEventTimeWindows(1000), { counters });
    const out = await collect([ev('a', 1, 10), watermark(999), ev('a', 2, 20), watermark(1600), ev('a', 3, 30)], (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        base
          .allowedLateness(600)
          .sideOutputLateData(late)
          .aggregate(sum((e: Ev) => e.v)),
        toValues(),
      ),
    );
    expect(out.map((r) => r.value)).toEqual([1, 3]);
    expect(late.count).toBe(1);
    expect(() => base.allowedLateness(-1)).toThrow(InvalidOptionError);
  });
});

describe('count and global windows', () => {
  it('countWindow(size, slide): the last `size` elements every `slide` elements, never a partial window', async () => {
    const xs = [1, 2, 3, 4, 5, 6, 7].map((v) => ev('k', v, v));
    const out = await collect(xs, (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        countWindow<Ev, string>(3, 2).process((es: readonly Ev[], _c, o) => o.collect(es.map((e) => e.v).join(''))),
        toValues(),
      ),
    );
    expect(out.map((r) => r.value)).toEqual(['12', '234', '456']);
    expect(out[0]!.window).toBe(GLOBAL_WINDOW);
  });

  it('globalWindows({ endOfStream: true }) fires once at the end of input', async () => {
    const out = await collect([ev('a', 1, 5), ev('b', 2, 6), ev('a', 3, 7), watermark(1e12)], (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        window<Ev, string>(globalWindows({ endOfStream: true })).aggregate(sum((e: Ev) => e.v)),
        toValues(),
      ),
    );
    expect(out.map(fmt)).toEqual([
      `a [${GLOBAL_WINDOW.start},${GLOBAL_WINDOW.end}) 4`,
      `b [${GLOBAL_WINDOW.start},${GLOBAL_WINDOW.end}) 2`,
    ]);
  });

  it('globalWindows() without a trigger never fires', async () => {
    const out = await collect([ev('a', 1, 5)], (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        window<Ev, string>(globalWindows()).aggregate(count()),
        toValues(),
      ),
    );
    expect(out).toEqual([]);
  });
});

describe('evictors', () => {
  const run = async (config: Parameters<typeof window<Ev, string>>[1]) =>
    (
      await collect(
        [1, 2, 3, 4, 5].map((v) => ev('k', v, v * 100)),
        (s) =>
          s.pipe(
            keyBy((e: Ev) => e.k),
            window<Ev, string>(globalWindows(), config).process((es: readonly Ev[], _c, o) =>
              o.collect(es.map((e) => e.v).join('')),
            ),
            toValues(),
          ),
      )
    ).map((r) => r.value);

  it('countEvictor keeps the last n before evaluation; with after: true, after it', async () => {
    // Evicted elements leave the window for good (Flink's EvictingWindowOperator rewrites its state).
    expect(await run({ trigger: countTrigger(2), evictor: countEvictor(2) })).toEqual(['12', '34']);
    expect(await run({ trigger: countTrigger(2), evictor: countEvictor(1, { after: true }) })).toEqual(['12', '234']);
  });

  it('timeEvictor keeps elements newer than max timestamp - size', async () => {
    // At the second firing the elements are at 100..400: the cutoff is 400 - 150, so 1 and 2 go.
    expect(await run({ trigger: countTrigger(2), evictor: timeEvictor(150) })).toEqual(['12', '34']);
  });

  it('deltaEvictor drops elements whose delta to the last element reaches the threshold', async () => {
    expect(
      await run({ trigger: countTrigger(5), evictor: deltaEvictor(2, (a: Ev, b: Ev) => Math.abs(a.v - b.v)) }),
    ).toEqual(['45']);
  });

  it('reduce with an evictor folds the kept elements at firing time', async () => {
    const out = await collect(
      [1, 2, 3, 4].map((v) => ev('k', v, v)),
      (s) =>
        s.pipe(
          keyBy((e: Ev) => e.k),
          window<Ev, string>(globalWindows(), { trigger: countTrigger(2), evictor: countEvictor(1) }).aggregate(
            sum((e: Ev) => e.v),
          ),
          toValues(),
        ),
    );
    expect(out.map((r) => r.value)).toEqual([2, 4]);
  });
});

describe('sessions through the API', () => {
  it('average merges accumulators when sessions merge; dynamic gaps per element', async () => {
    const out = await collect([ev('a', 2, 0), ev('a', 4, 100), ev('a', 9, 50)], (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        window<Ev, string>(eventTimeSessionWindows(60)).aggregate(average((e: Ev) => e.v)),
        toValues(),
      ),
    );
    expect(out.map(fmt)).toEqual(['a [0,160) 5']);
    const dyn = await collect([ev('a', 1, 0), ev('a', 2, 30), ev('b', 3, 0), ev('b', 4, 30)], (s) =>
      s.pipe(
        keyBy((e: Ev) => e.k),
        window<Ev, string>(dynamicEventTimeSessionWindows((e: Ev) => (e.k === 'a' ? 50 : 10))).aggregate(count()),
        toValues(),
      ),
    );
    expect(dyn.map(fmt)).toEqual(['b [0,10) 1', 'b [30,40) 1', 'a [0,80) 2']); // in firing order
  });

  it('a dynamic gap that is not positive raises an error naming the element', async () => {
    await expect(
      collect([ev('a', 1, 0)], (s) =>
        s.pipe(
          keyBy((e: Ev) => e.k),
          window<Ev, string>(dynamicEventTimeSessionWindows(() => 0)).aggregate(count()),
          toValues(),
        ),
      ),
    ).rejects.toThrow(/"k":"a"/);
  });

  it('keys such as __proto__ and tuples are ordinary keys', async () => {
    const out = await collect([ev('__proto__', 1, 0), ev('constructor', 2, 0)], (s) =>
      s.pipe(
        keyBy((e: Ev) => [e.k, 1] as const),
        window<Ev, readonly [string, number]>(tumblingEventTimeWindows(10)).aggregate(count()),
        toValues(),
      ),
    );
    expect(out.map((r) => r.key)).toEqual([
      ['__proto__', 1],
      ['constructor', 1],
    ]);
  });
});

describe('custom triggers (the documented interface)', () => {
  it('a trigger that fires every 2 elements and at the end of the window', async () => {
    const everyTwo = defineTrigger<unknown>({
      onElement: (_v, _t, w, ctx) => {
        ctx.registerEventTimeTimer(w.end - 1);
        const n = (ctx.getState<number>('n') ?? 0) + 1;
        if (n >= 2) {
          ctx.clearState('n');
          return 'FIRE';
        }
        ctx.setState('n', n);
        return 'CONTINUE';
      },
      onEventTime: (time, w) => (time === w.end - 1 ? 'FIRE' : 'CONTINUE'),
      onProcessingTime: () => 'CONTINUE',
      clear: (w, ctx) => {
        ctx.deleteEventTimeTimer(w.end - 1);
        ctx.clearState('n');
      },
    });
    const out = await collect(
      [1, 2, 3].map((v) => ev('k', v, v)),
      (s) =>
        s.pipe(
          keyBy((e: Ev) => e.k),
          window<Ev, string>(tumblingEventTimeWindows(100), { trigger: everyTwo }).aggregate(sum((e: Ev) => e.v)),
          toValues(),
        ),
    );
    expect(out.map((r) => r.value)).toEqual([3, 6]);
  });
});

describe('invalid options throw when the operator is built', () => {
  it.each([
    ['size 0', () => tumblingEventTimeWindows(0), /size/],
    ['fractional size', () => tumblingEventTimeWindows(1.5), /size/],
    ['abs(offset) >= size', () => tumblingEventTimeWindows(1000, 1000), /abs\(offset\) < size/],
    ['abs(offset) >= slide', () => slidingEventTimeWindows(1000, 100, -100), /abs\(offset\) < slide/],
    ['session gap 0', () => eventTimeSessionWindows(0), /gap/],
    ['negative lateness', () => window(tumblingEventTimeWindows(10), { allowedLateness: -1 }), /allowedLateness/],
    [
      'lateness on processing time',
      () => window(tumblingProcessingTimeWindows(10), { allowedLateness: 5 }),
      /only valid for event-time/,
    ],
    [
      'a late output on processing time',
      () => window(tumblingProcessingTimeWindows(10), { lateOutput: new SideOutput<StreamRecord<unknown, Key>>() }),
      /lateOutput.*only valid for event-time/,
    ],
    // Checked by the general path's factory, which the sliding assigner brings (general-config.ts).
    [
      'a trigger without its methods',
      () => window(slidingEventTimeWindows(10, 5), { trigger: { onElement: () => 'CONTINUE' } as never }),
      /trigger.*must implement onElement, onEventTime, onProcessingTime and clear/,
    ],
    [
      'a non-merging trigger on sessions',
      () => window(eventTimeSessionWindows(10), { trigger: { ...countTrigger(2), canMerge: false } }),
      /merging assigner/,
    ],
    [
      'an aggregate without merge',
      () =>
        window(tumblingEventTimeWindows(10)).aggregate({
          createAccumulator: () => 0,
          add: (_v: unknown, a: number) => a,
          getResult: (a: number) => a,
        } as never),
      /merge/,
    ],
    ['a reduce that is not a function', () => window(tumblingEventTimeWindows(10)).reduce(3 as never), /reduce/],
    ['countWindow(0)', () => countWindow(0), /size/],
    ['countTrigger(0)', () => countTrigger(0), /maxCount/],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(InvalidOptionError);
    expect(build).toThrow(message);
  });

  it('windowStart is a floor-mod for negative timestamps and offsets', () => {
    expect(windowStart(-1, 0, 1000)).toBe(-1000);
    expect(windowStart(-1000, 0, 1000)).toBe(-1000);
    expect(windowStart(-1001, 0, 1000)).toBe(-2000);
    expect(windowStart(5, -300, 1000)).toBe(-300);
    expect(windowStart(-301, -300, 1000)).toBe(-1300);
    // The formula the issue warns about gives a window that does not contain the timestamp:
    const old = (ts: number, offset: number, size: number) => ts - ((ts - offset + size) % size);
    expect(old(-1500, 0, 1000)).toBe(-1000);
    expect(windowStart(-1500, 0, 1000)).toBe(-2000);
  });
});

describe('typing without explicit type arguments', () => {
  it('infers the element type from the window function and keeps the result type', async () => {
    const results = await firstValueFrom(
      from([[ev('a', 1, 1), ev('a', 2, 2)]]).pipe(
        keyBy((e: Ev) => e.k),
        window(tumblingEventTimeWindows(1000)).aggregate(combine({ n: count(), total: sum((e: Ev) => e.v) })),
        toValues(),
        toArray(),
      ),
    );
    const first: { n: number; total: number } = results[0]!.value;
    expect(first).toEqual({ n: 2, total: 3 });
  });
});
