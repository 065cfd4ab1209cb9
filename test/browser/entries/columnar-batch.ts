// The batch both sides of test/browser/columnar-transfer.test.ts build: `{ word, count }` records with
// string keys as keyBy leaves them, with non-ASCII words, a lone surrogate and -0 among them.
import { keyedRecord, type StreamRecord } from '../../../src/core/elements.js';

export const WORDS = ['to', 'be', 'ünïcødé', '日本', '🙂', 'lone \ud800 surrogate', ''];

export function columnarBatch(size: number): StreamRecord<{ word: string; count: number }, string>[] {
  return Array.from({ length: size }, (_, i) => {
    const word = WORDS[i % WORDS.length]!;
    return keyedRecord({ word, count: i === 0 ? -0 : i * 0.5 }, 1_767_225_600_000 + i, word, i % 128);
  });
}
