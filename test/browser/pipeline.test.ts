// The same pipeline gives the same results in Node and in real Chromium (Debian's chromium):
// the core bundles for the browser with no Node module and no polyfill.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { windowedWordCount } from './entries/wordcount-pipeline.js';
import type { api } from './entries/pipeline-entry.js';

const lines = readFileSync(new URL('../../demo/wordcount/hamlet.log', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ entry: 'test/browser/entries/pipeline-entry.ts' });
});
afterAll(async () => {
  await h?.close();
});

describe('one pipeline, two platforms', () => {
  it('the windowed word count gives the same windows in Chromium as in Node', async () => {
    const inNode = await windowedWordCount(lines);
    const page = await h.newPage();
    const inBrowser = await page.evaluate(
      (input) => (window as unknown as { __rx: typeof api }).__rx.windowedWordCount(input),
      lines,
    );
    await page.close();
    expect(inNode.length).toBeGreaterThan(100);
    expect(inNode.find((r) => r.word === 'to' && r.start === Date.parse('2026-01-01T09:00:10Z'))?.count).toBe(5);
    expect(inBrowser).toEqual(inNode);
  });
});
