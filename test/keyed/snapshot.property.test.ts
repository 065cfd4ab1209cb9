import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { keyGroupOf, keyedRecord, listState, mapState, valueState, watermark, type StreamElement } from '../../src/index.js';
import { KeyedProcessOperator, type KeyedProcessFunction } from '../../src/keyed/index.js';
import { OperatorHarness } from '../../src/testing/index.js';

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
    ctx.output(`${ctx.timeDomain} k${ctx.key} @${time} last=${ctx.getState(last).value()} m=${JSON.stringify(m.entries())}`);
    if (ctx.timeDomain === 'EVENT_TIME' && time % 2 === 0) ctx.timerService.registerEventTimeTimer(time + 1);
    if (ctx.timeDomain === 'PROCESSING_TIME' && time % 3 === 0) ctx.timerService.registerProcessingTimeTimer(time + 2);
  },
};

type Op =
  | { op: 'record'; key: number; value: number; ahead: number }
  | { op: 'watermark'; by: number }
  | { op: 'time'; by: number }
  | { op: 'export' };

const ops = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('record' as const), key: fc.integer({ min: 0, max: 4 }), value: fc.integer({ min: 0, max: 50 }), ahead: fc.integer({ min: 1, max: 10 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('watermark' as const), by: fc.integer({ min: 0, max: 8 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('time' as const), by: fc.integer({ min: 0, max: 15 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('export' as const)}) },
  ),
  { maxLength: 80 },
);

function run(input: readonly Op[], exportImport: boolean): StreamElement<string, number>[] {
  const create = (startTime: number) =>
    new OperatorHarness((rt) => new KeyedProcessOperator<number, number, string>(fn, { uid: 'prop' }, rt), { startTime });
  let h = create(0);
  const output: StreamElement<string, number>[] = [];
  let wm = 0;
  for (const o of input) {
    switch (o.op) {
      case 'record':
        h.process(keyedRecord(o.value, wm + o.ahead, o.key, keyGroupOf(o.key)));
        break;
      case 'watermark':
        wm += o.by;
        h.process(watermark(wm));
        break;
      case 'time':
        h.advanceProcessingTime(h.now + o.by);
        break;
      case 'export':
        if (!exportImport) break;
        {
          const data = structuredClone(h.operator.snapshotState!());
          output.push(...h.takeOutput());
          h.operator.dispose!();
          const now = h.now;
          h = create(now);
          h.operator.restoreState!(data);
        }
        break;
    }
  }
  h.advanceProcessingTime(h.now + 20);
  h.end();
  output.push(...h.takeOutput());
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
});
