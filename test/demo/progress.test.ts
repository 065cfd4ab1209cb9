// Issue 13: long runs show progress on one updating line in a terminal, and plain lines otherwise.
import { expect, it } from 'vitest';
import { describeProgress, ProgressLine } from '../../demo/progress.js';
import type { MetricsSnapshot } from '../../src/index.js';

const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return { written, out: { isTTY, columns: 40, write: (text: string) => written.push(text) } };
};

it('on a TTY, each update rewrites the line in place (cut to the width), and done() ends it', () => {
  const { written, out } = stream(true);
  const line = new ProgressLine(out);
  line.update('first');
  line.update('x'.repeat(60));
  line.done();
  expect(written).toEqual(['\r\x1b[2Kfirst', `\r\x1b[2K${'x'.repeat(39)}`, '\n']);
});

it('elsewhere (a log, CI), each update is a plain line and done() adds nothing', () => {
  const { written, out } = stream(false);
  const line = new ProgressLine(out);
  line.update('first');
  line.update('second');
  line.done();
  expect(written).toEqual(['first\n', 'second\n']);
});

it('the status line: records and rate of the sources, the lowest watermark, checkpoints', () => {
  const operator = {
    numRecordsOut: 1500,
    numRecordsOutPerSecond: 250.4,
    currentOutputWatermark: Date.parse('2026-01-01T00:00:01Z'),
  };
  const m = {
    job: 'clicks',
    operators: [
      { ...operator, kind: 'source' },
      { ...operator, kind: 'chain', currentOutputWatermark: Date.parse('2026-01-01T00:00:00Z') },
    ],
    checkpoints: { completed: 2 },
  } as unknown as MetricsSnapshot;
  expect(describeProgress(m)).toBe('clicks: 1,500 records, 250/s, watermark 2026-01-01T00:00:00.000Z, 2 checkpoints');
});
