// Monitoring reads a window operator's pending timers (docs/monitoring.md: state size); the pane
// table has one event-time timer per window, at its end, which is also its cleanup time (Flink's
// EventTimeTrigger with no lateness), and the general path counts its timer service.
import { describe, expect, it } from 'vitest';
import { count, eventTimeSessionWindows, tumblingEventTimeWindows } from '../../src/index.js';
import { probeFor } from '../../src/core/metrics/probe.js';
import { harness, rec, windowOp, wm } from './helpers.js';

const timers = (h: { readonly operator: unknown }): number =>
  (h.operator as { readonly timerCount: number }).timerCount;

describe('the window operator reports its pending timers (state size in the metrics)', () => {
  it('pane table: one timer per live window, none once they fired', () => {
    const h = harness(
      windowOp<number, string, number>(tumblingEventTimeWindows(10), { kind: 'aggregate', aggregate: count() }),
    );
    h.process(rec(1, 1, 'a'), rec(1, 2, 'b'), rec(1, 12, 'a'));
    expect(timers(h)).toBe(3); // a [0,10), b [0,10), a [10,20)
    h.process(wm(9));
    expect(timers(h)).toBe(1);
    h.process(wm(19));
    expect(timers(h)).toBe(0);
  });

  it('general path (sessions with lateness): the trigger timer and the cleanup timer of each session', () => {
    const h = harness(
      windowOp<number, string, number>(
        eventTimeSessionWindows(4),
        { kind: 'aggregate', aggregate: count() },
        { allowedLateness: 10 },
      ),
    );
    h.process(rec(1, 1, 'a'), rec(1, 20, 'b'));
    expect(timers(h)).toBe(4); // per session: FIRE at its end - 1, cleanup at end - 1 + lateness
    h.process(wm(100));
    expect(timers(h)).toBe(0);
  });
});

describe('operators are named in monitoring by operatorName, which a minifier keeps', () => {
  it('a minified class name does not show', () => {
    class Wc {
      readonly operatorName = 'Window';
    }
    expect(probeFor(new Wc()).name).toBe('Window');
  });

  it('without operatorName, the class name without its Operator suffix', () => {
    class ClicksOperator {}
    expect(probeFor(new ClicksOperator()).name).toBe('Clicks');
  });
});
