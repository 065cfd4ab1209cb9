/**
 * Windows on the one keyed state and timer layer (issue 16): the general path keeps each window's
 * contents and trigger state as keyed state of its KeyedStateBackend with the window as namespace,
 * and its timers in the timer service of state/ under the same namespace (Flink's WindowOperator:
 * windowState and getPartitionedState in the window namespace, InternalTimer<K, W>).
 */
import { describe, expect, it } from 'vitest';
import type { StreamElement } from '../../src/core/elements.js';
import type { OperatorRuntime } from '../../src/core/operator.js';
import { WindowSetup } from '../../src/window/config.js';
import { GeneralPath } from '../../src/window/general-path.js';
import {
  countTrigger,
  eventTimeSessionWindows,
  slidingEventTimeWindows,
  type WindowResult,
} from '../../src/window/index.js';
import { CONTENTS_STATE } from '../../src/window/window-contents.js';
import { keyId } from '../../src/core/keys.js';
import { rec } from './helpers.js';

const runtime: OperatorRuntime = { processingTime: { now: () => 0, schedule: () => () => {} } };
const add = (a: number, b: number): number => a + b;

describe('windows on the keyed state and timer layer', () => {
  it('sliding windows: one contents cell and one timer per key and window, in the window start namespace', () => {
    const setup = new WindowSetup<number, string, number>(
      { keyed: true, assigner: slidingEventTimeWindows(1000, 500), fn: { kind: 'reduce', reduce: add } },
      runtime,
    );
    const general = new GeneralPath(setup);
    const out: StreamElement<WindowResult<string, number>, string>[] = [];
    general.processRecord(rec(1, 700, 'a'), out);
    general.processRecord(rec(2, 800, 'a'), out);
    general.processRecord(rec(5, 100, 'b'), out);
    const state = general.state;
    state.setCurrentKey('a');
    expect([state.cellsIn(0), state.cellsIn(500)]).toEqual([[[CONTENTS_STATE, 3]], [[CONTENTS_STATE, 3]]]);
    state.setCurrentKey('b');
    expect([state.cellsIn(-500), state.cellsIn(0), state.cellsIn(500)]).toEqual([
      [[CONTENTS_STATE, 5]],
      [[CONTENTS_STATE, 5]],
      [],
    ]);
    expect(general.timers.service.timersIn(keyId('a'), 500)).toEqual({ eventTime: [1499], processingTime: [] });
    expect(general.timers.service.eventTimeTimers).toBe(4);
    general.advanceEventTime(999, out);
    // The fired windows' cells and timers are gone from the layer; the later window of 'a' stays.
    state.setCurrentKey('a');
    expect([state.cellsIn(0), state.cellsIn(500)]).toEqual([[], [[CONTENTS_STATE, 3]]]);
    expect(general.timers.service.eventTimeTimers).toBe(1);
    expect(
      out
        .filter((e) => e.kind === 'record')
        .map((e) => e.kind === 'record' && [e.value.key, e.value.window.start, e.value.value]),
    ).toEqual([
      ['b', -500, 5],
      ['a', 0, 3],
      ['b', 0, 5],
    ]);
  });

  it('sessions: merging moves contents and merges the trigger state namespaces into the merged window', () => {
    const setup = new WindowSetup<number, string, number>(
      {
        keyed: true,
        assigner: eventTimeSessionWindows(100),
        fn: { kind: 'reduce', reduce: add },
        trigger: countTrigger(5),
      },
      runtime,
    );
    const general = new GeneralPath(setup);
    const out: StreamElement<WindowResult<string, number>, string>[] = [];
    general.processRecord(rec(1, 0, 'k'), out);
    general.processRecord(rec(2, 150, 'k'), out);
    general.processRecord(rec(4, 90, 'k'), out); // joins [0,100) and [150,250) into [0,250)
    const state = general.state;
    state.setCurrentKey('k');
    expect([state.cellsIn('0:100'), state.cellsIn('150:250')]).toEqual([[], []]);
    expect(state.cellsIn('0:250')).toEqual([
      [CONTENTS_STATE, 7],
      ['trigger:count', 3],
    ]);
    expect(general.timers.service.timersIn(keyId('k'), '0:250').eventTime).toEqual([249]);
    expect(general.timers.service.eventTimeTimers).toBe(1);
  });
});
