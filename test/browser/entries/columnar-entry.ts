// Page side of test/browser/columnar-transfer.test.ts: starts the worker, receives a columnar batch,
// decodes and checks it, and sends the buffers back as a channel does with its credits.
import { batchPath, columnarCodec } from '../../../src/parallel/columnar-codec.js';
import { columnarBatch } from './columnar-batch.js';

const worker = new Worker(new URL('./worker/app.js', location.href), { type: 'module' });
const codec = columnarCodec();
const inbox: unknown[] = [];
const waiters: ((m: unknown) => void)[] = [];
worker.addEventListener('message', (event) => {
  const waiter = waiters.shift();
  if (waiter) waiter(event.data);
  else inbox.push(event.data);
});
const next = <T>(): Promise<T> =>
  new Promise((resolve) => {
    if (inbox.length > 0) resolve(inbox.shift() as T);
    else waiters.push(resolve as (m: unknown) => void);
  });

interface Sent {
  transferred: number;
  senderByteLengths: number[];
  allocations: number;
}

/** One batch from the worker and its buffers back; what each side saw. */
async function roundTrip(size: number) {
  worker.postMessage({ type: 'send', size });
  const { payload } = await next<{ payload: unknown }>();
  const sent = await next<Sent>();
  const records = codec.decode(payload);
  const expected = columnarBatch(size);
  const exact = records.every((r, i) => {
    const e = expected[i]!;
    const v = r.value as { word: string; count: number };
    return (
      Object.is(v.count, e.value.count) &&
      v.word === e.value.word &&
      r.key === e.key &&
      r.timestamp === e.timestamp &&
      r.keyGroup === e.keyGroup &&
      Object.keys(v).join() === 'word,count'
    );
  });
  const buffers = codec.release(payload);
  const receivedByteLengths = buffers.map((b) => b.byteLength);
  worker.postMessage({ type: 'credit', buffers }, buffers);
  const receiverByteLengthsAfter = buffers.map((b) => b.byteLength);
  const { pooled } = await next<{ pooled: number }>();
  return {
    path: batchPath(payload),
    count: records.length,
    exact,
    sent,
    receivedByteLengths,
    receiverByteLengthsAfter,
    pooled,
  };
}

export const api = { roundTrip };
(window as unknown as { __rx: typeof api }).__rx = api;
