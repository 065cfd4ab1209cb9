// Issue 13, rxflink/devtools: the job graph's layout and the panel's number formats.
import { describe, expect, it } from 'vitest';
import { layoutGraph } from '../../src/devtools/index.js';
import { formatBytes, formatCount, formatDuration } from '../../src/devtools/levels.js';

describe('layoutGraph', () => {
  it('a merge sits right of both inputs, whatever order the operators joined in', () => {
    // As observed in Chromium: an input of the merge can join after the operator it feeds.
    const ids = ['web', 'web-entry', 'mobile', 'sink', 'window', 'mobile-entry'];
    const edges = [
      { from: 'web', to: 'web-entry' },
      { from: 'mobile', to: 'mobile-entry' },
      { from: 'web-entry', to: 'sink' },
      { from: 'mobile-entry', to: 'sink' },
      { from: 'sink', to: 'window' },
    ];
    const { positions, columns, rows } = layoutGraph(ids, edges);
    expect(Object.fromEntries([...positions].map(([id, p]) => [id, [p.column, p.row]]))).toEqual({
      web: [0, 0],
      mobile: [0, 1],
      'web-entry': [1, 0],
      'mobile-entry': [1, 1],
      sink: [2, 0],
      window: [3, 0],
    });
    expect([columns, rows]).toEqual([4, 2]);
  });

  it('an edge to an unknown operator is ignored, and a cycle ends instead of looping', () => {
    const { positions } = layoutGraph(
      ['a', 'b'],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
        { from: 'x', to: 'a' },
      ],
    );
    expect(positions.size).toBe(2);
    expect(layoutGraph([], []).columns).toBe(0);
  });
});

describe('number formats', () => {
  it('counts, durations and sizes in a few characters', () => {
    expect([0, 999, 1234, 12_345, 2_500_000, 3e9].map(formatCount)).toEqual([
      '0',
      '999',
      '1.2k',
      '12k',
      '2.5M',
      '3.0G',
    ]);
    expect([null, 850, 1200, 90_000, 7_200_000].map(formatDuration)).toEqual([
      '–',
      '850 ms',
      '1.2 s',
      '1.5 min',
      '2.0 h',
    ]);
    expect([null, 512, 2048, 3 * 1024 * 1024].map(formatBytes)).toEqual(['–', '512 B', '2.0 KB', '3.0 MB']);
  });
});
