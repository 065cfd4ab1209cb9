// Web Worker side of test/browser/columnar-transfer.test.ts: encodes batches with columnarCodec,
// transfers them to the page, and takes the buffers back for the next batch.
import { columnarCodec } from '../../../src/parallel/columnar-codec.js';
import { columnarBatch } from './columnar-batch.js';

interface Scope {
  postMessage(message: unknown, options?: { transfer?: Transferable[] }): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}
const scope = self as unknown as Scope;

let allocations = 0;
const codec = columnarCodec({
  allocate: (bytes) => {
    allocations++;
    return new ArrayBuffer(bytes);
  },
});

scope.addEventListener('message', (event: MessageEvent) => {
  const message = event.data as { type: 'send'; size: number } | { type: 'credit'; buffers: ArrayBuffer[] };
  if (message.type === 'credit') {
    codec.recycle(message.buffers);
    scope.postMessage({ type: 'recycled', pooled: codec.pooledBuffers });
    return;
  }
  const { payload, transfer } = codec.encode(columnarBatch(message.size));
  scope.postMessage({ type: 'batch', payload }, { transfer });
  // After postMessage a transferred buffer is detached here: its byteLength is 0.
  scope.postMessage({
    type: 'sent',
    transferred: transfer.length,
    senderByteLengths: transfer.map((b) => b.byteLength),
    allocations,
  });
});
