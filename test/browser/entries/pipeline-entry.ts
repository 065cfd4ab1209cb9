// Browser side of test/browser/pipeline.test.ts: puts the word count pipeline on `window.__rx`, where
// the harness looks for an entry's API. (No global type here: idb-entry.ts types `window.__rx` for
// its own API; the test casts instead.)
import { windowedWordCount } from './wordcount-pipeline.js';

export const api = { windowedWordCount };
(window as unknown as { __rx: typeof api }).__rx = api;
