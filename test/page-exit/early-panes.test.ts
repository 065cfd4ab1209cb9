// earlyPanes: open windows from a window operator's queryable view become results with
// pane.timing EARLY (Beam's PaneInfo: fired before the watermark reached the window's end - 1).
import { describe, expect, it } from 'vitest';
import { earlyPanes } from '../../src/browser/index.js';
import { InvalidOptionError, quantiles } from '../../src/index.js';
import type { OpenWindow } from '../../src/redux/index.js';

const open = (start: number, end: number, accumulator: number): OpenWindow => ({
  start,
  end,
  accumulator,
  elements: null,
});

describe('earlyPanes', () => {
  it('skips windows the watermark already fired on time (kept only for allowed lateness): they are not early', () => {
    let watermark = 19_999;
    const panes = earlyPanes({
      openWindows: () => [{ key: 'a', value: [open(10_000, 20_000, 4), open(20_000, 30_000, 2)] }],
      result: (w) => w.accumulator as number,
      watermark: () => watermark,
    });
    expect(panes()).toEqual([
      {
        key: 'a',
        window: { start: 20_000, end: 30_000 },
        value: 2,
        pane: { timing: 'EARLY', index: 0, isFirst: true, isLast: false },
      },
    ]);
    // One ms earlier, [10 s, 20 s) has not reached its last timestamp 19 999: an early pane too.
    watermark = 19_998;
    expect(panes().map((r) => [r.window.start, r.pane.index])).toEqual([
      [10_000, 0],
      [20_000, 1],
    ]);
  });

  it('numbers the early panes of one window per key; tuple keys compare by value', () => {
    const panes = earlyPanes({
      openWindows: () => [
        { key: ['a', 1], value: [open(0, 10, 1)] },
        { key: ['a', 2], value: [open(0, 10, 5)] },
      ],
      result: (w) => w.accumulator as number,
      watermark: () => -Infinity,
    });
    panes();
    expect(panes().map((r) => [r.key, r.pane.index, r.pane.isFirst])).toEqual([
      [['a', 1], 1, false],
      [['a', 2], 1, false],
    ]);
  });

  it('aggregate: the view holds accumulators as exported for snapshots (a quantiles sketch as plain data); they are imported before getResult', () => {
    const latency = quantiles();
    let sketch = latency.createAccumulator();
    for (const ms of [10, 20, 30, 40, 1_000]) sketch = latency.add(ms, sketch);
    const exported = latency.exportAccumulator!(sketch);
    const panes = earlyPanes({
      openWindows: () => [
        { key: 'checkout', value: [{ start: 0, end: 10_000, accumulator: exported, elements: null }] },
      ],
      aggregate: latency,
      watermark: () => 5_000,
    });
    const [pane] = panes();
    expect(pane!.value).toEqual(latency.getResult(sketch));
    expect(pane!.value.count).toBe(5);
  });

  it('neither aggregate nor result: an InvalidOptionError naming aggregate', () => {
    expect(() => earlyPanes({ openWindows: () => [], watermark: () => 0 })).toThrow(/aggregate/);
  });

  it('a missing function is an InvalidOptionError naming the option', () => {
    expect(() =>
      earlyPanes({ openWindows: () => [], result: (w) => w, watermark: 5 as unknown as () => number }),
    ).toThrow(InvalidOptionError);
    expect(() =>
      earlyPanes({ openWindows: () => [], result: (w) => w, watermark: 5 as unknown as () => number }),
    ).toThrow(/watermark/);
  });
});
