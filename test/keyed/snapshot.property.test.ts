import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { listState, mapState, valueState, type StreamElement } from '../../src/index.js';
import { KeyedProcessOperator, type KeyedProcessFunction } from '../../src/keyed/index.js';
import { OperatorHarness } from '../../src/testing/index.js';
import { keyGroupOf } from '../../src/engine/index.js';
import type { PendingCheckpoint } from '../../src/core/checkpointing.js';
import { feed, finish, inputOps, type InputOp } from './process-inputs.js';

const last = valueState<number>('last', { ttl: { ttl: 40, updateType: 'OnReadAndWrite' } });
const history = listState<number>('history', { ttl: { ttl: 60 } });
const perValue = mapState<number, number>('per-value');

/** Uses every feature that export/import must preserve: TTL state, list/map state, both timer kinds, deletes. */
const fn: KeyedProcessFunction<number, number, string> = {
  processElement(value, ctx) {
    const l = ctx.getState(last);
    const h = ctx.getListState(history);
    const m = ctx.getMapState(perValue);
    ctx.output(`in k${ctx.key} v${value} last=${l.value()} h=${h.get().join(',')} wm=${ctx.currentWatermark}`);
    l.update(value);
    h.add(value);
    m.put(value % 3, (m.get(value % 3) ?? 0) + 1);
    ctx.timerService.registerEventTimeTimer(ctx.timestamp + (value % 7));
    ctx.timerService.registerProcessingTimeTimer(ctx.currentProcessingTime() + (value % 11) + 1);
    if (value % 5 === 0) ctx.timerService.deleteEventTimeTimer(ctx.timestamp + 3);
    if (value % 4 === 0) ctx.timerService.deleteProcessingTimeTimer(ctx.currentProcessingTime() + 2);
  },
  onTimer(time, ctx) {
    const m = ctx.getMapState(perValue);
    ctx.output(
      `${ctx.timeDomain} k${ctx.key} @${time} last=${ctx.getState(last).value()} m=${JSON.stringify(m.entries())}`,
    );
    if (ctx.timeDomain === 'EVENT_TIME' && time % 2 === 0) ctx.timerService.registerEventTimeTimer(time + 1);
    if (ctx.timeDomain === 'PROCESSING_TIME' && time % 3 === 0) ctx.timerService.registerProcessingTimeTimer(time + 2);
  },
};

type Op = InputOp | { op: 'export' };

const FULL: PendingCheckpoint = {
  checkpointId: 1,
  incremental: false,
  report: () => {},
  hold: () => () => {},
  onComplete: () => {},
};

const ops = fc.array(
  fc.oneof(...inputOps(4, 50, 10), { weight: 1, arbitrary: fc.record({ op: fc.constant('export' as const) }) }),
  { maxLength: 80 },
);

function run(input: readonly Op[], exportImport: boolean): StreamElement<string, number>[] {
  const create = (startTime: number) =>
    new OperatorHarness((rt) => new KeyedProcessOperator<number, number, string>(fn, { uid: 'prop' }, rt), {
      startTime,
    });
  let h = create(0);
  const output: StreamElement<string, number>[] = [];
  const clock = { wm: 0 };
  for (const o of input) {
    if (feed(h, o, clock) || o.op !== 'export' || !exportImport) continue;
    const data = structuredClone(h.operator.snapshotCheckpoint!(FULL));
    output.push(...h.takeOutput());
    h.operator.dispose!();
    const now = h.now;
    h = create(now);
    h.operator.restoreCheckpoint!(data);
  }
  output.push(...finish(h));
  return output;
}

describe('keyedProcess export/import', () => {
  it('property: exporting and importing state at random points never changes the output', () => {
    fc.assert(
      fc.property(ops, (input) => {
        expect(run(input, true)).toEqual(run(input, false));
      }),
      { numRuns: 300 },
    );
  });

  /** The records each key was given, in order (the output of one key does not depend on the others). */
  const perKey = (out: readonly StreamElement<string, number>[]): Map<number, string[]> => {
    const keys = new Map<number, string[]>();
    for (const e of out) if (e.kind === 'record') keys.set(e.key!, [...(keys.get(e.key!) ?? []), e.value]);
    return keys;
  };

  it('property: restored as two operators by key-group ranges (Flink rescaling), each fed its own key groups, they give the output of one', () => {
    const create = (startTime: number) =>
      new OperatorHarness((rt) => new KeyedProcessOperator<number, number, string>(fn, { uid: 'prop' }, rt), {
        startTime,
      });
    fc.assert(
      fc.property(ops, fc.integer({ min: 0, max: 126 }), (input, split) => {
        const at = Math.max(
          0,
          input.findIndex((o) => o.op === 'export'),
        );
        const h = create(0);
        const clock = { wm: 0 };
        for (const o of input.slice(0, at)) feed(h, o, clock);
        const before = h.takeOutput();
        const data = structuredClone(h.operator.snapshotCheckpoint!(FULL));
        const ranges = [
          { start: 0, end: split },
          { start: split + 1, end: 127 },
        ];
        const parts = ranges.map((keyGroups) => {
          const part = create(h.now);
          part.operator.restoreCheckpoint!(data, { keyGroups });
          return { part, keyGroups, clock: { ...clock } };
        });
        for (const o of input.slice(at)) {
          for (const { part, keyGroups, clock: c } of parts) {
            // Records go to the operator of their key group; watermarks and time to both.
            if (o.op === 'record' && (keyGroupOf(o.key) < keyGroups.start || keyGroupOf(o.key) > keyGroups.end))
              continue;
            feed(part, o, c);
          }
        }
        const together = [...before, ...parts.flatMap(({ part }) => [...part.takeOutput(), ...finish(part)])];
        expect(perKey(together)).toEqual(perKey(run(input, false)));
      }),
      { numRuns: 200 },
    );
  });
});
