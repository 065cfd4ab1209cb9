/**
 * Transport benchmark (issue 14): the per-record cost of moving keyed records to a worker thread and
 * back, end to end: encode → postMessage (buffers transferred) across a real `worker_threads` Worker →
 * decode in the worker → the buffers posted back with the credit → recycled by the sender. Two
 * batches are in flight at a time, as on a channel with two credits. Columnar batches
 * (`columnarCodec`) against structured clone (`structuredCloneCodec`, the baseline of each row), at
 * batch sizes 256, 1024 and 4096, for number values, `{ word, count }` objects and string values.
 * Target: columnar <= 0.3 µs per record.
 * Run on its own with `node --import tsx bench/transport-bench.ts`; this file is also the worker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { keyedRecord, type StreamRecord } from '../src/core/elements.js';
import { type BatchCodec, structuredCloneCodec } from '../src/parallel/batch-codec.js';
import { columnarCodec } from '../src/parallel/columnar-codec.js';
import { ProgressLine } from '../demo/progress.js';
import { median } from './lib.js';

type Rec = StreamRecord<unknown, unknown>;
type CodecName = 'columnar' | 'clone';

interface ToWorker {
  readonly codec: CodecName;
  readonly payload: unknown;
}

const SIZES = [256, 1024, 4096] as const;
/** Records per measured run, whatever the batch size. */
const RECORDS = 1 << 18;
const REPS = 5;
const CREDITS = 2;

export interface TransportRow {
  readonly values: string;
  readonly batchSize: number;
  /** Elapsed time per record. */
  readonly cloneMicrosPerRecord: number;
  readonly columnarMicrosPerRecord: number;
  /** Structured clone's cost / columnar's cost: how many times cheaper columnar is. */
  readonly speedup: number;
  /**
   * CPU time per record of both threads together (`process.cpuUsage` counts every thread of the
   * process): steadier than elapsed time on a shared machine, where the threads wait for a core.
   */
  readonly cloneCpuMicrosPerRecord: number;
  readonly columnarCpuMicrosPerRecord: number;
}

const WORDS = Array.from({ length: 1000 }, (_, i) => `w${(i * 7919).toString(36)}`);

/** A batch of keyed records as `keyBy` leaves them: key, key group in 0..127, millisecond timestamps. */
function batchOf(values: string, size: number): Rec[] {
  return Array.from({ length: size }, (_, i) => {
    const word = WORDS[(i * 31) % WORDS.length]!;
    const ts = 1_767_225_600_000 + i * 10;
    if (values === 'numbers') return keyedRecord(i * 0.5, ts, i % 1000, i % 128);
    if (values === 'strings') return keyedRecord(word, ts, word, i % 128);
    return keyedRecord({ word, count: i % 17 }, ts, word, i % 128);
  });
}

interface Timing {
  readonly elapsedMs: number;
  readonly cpuMs: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Sends `RECORDS` records in batches, `CREDITS` batches in flight; resolves to the time taken. */
function run(worker: Worker, name: CodecName, codec: BatchCodec, batch: readonly Rec[]): Promise<Timing> {
  const batches = Math.ceil(RECORDS / batch.length);
  return new Promise((resolve) => {
    let sent = 0;
    let done = 0;
    const start = performance.now();
    const startCpu = cpuMs();
    const send = () => {
      const { payload, transfer } = codec.encode(batch);
      worker.postMessage({ codec: name, payload } satisfies ToWorker, transfer);
      sent++;
    };
    const onCredit = (buffers: ArrayBuffer[]) => {
      codec.recycle(buffers);
      if (++done === batches) {
        worker.off('message', onCredit);
        resolve({ elapsedMs: performance.now() - start, cpuMs: cpuMs() - startCpu });
      } else if (sent < batches) send();
    };
    worker.on('message', onCredit);
    for (let c = 0; c < CREDITS; c++) send();
  });
}

export async function runTransportBench(log: (line: string) => void = console.log): Promise<TransportRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'rxflink-transport-'));
  const worker = new Worker(await bundleWorker(dir));
  const codecs: Record<CodecName, BatchCodec> = { columnar: columnarCodec(), clone: structuredCloneCodec };
  const rows: TransportRow[] = [];
  const progress = new ProgressLine();
  try {
    for (const values of ['numbers', 'objects', 'strings']) {
      for (const size of SIZES) {
        const batch = batchOf(values, size);
        const times: Record<CodecName, Timing[]> = { columnar: [], clone: [] };
        progress.update(`  ${values}, batch ${size}: warm-up`);
        for (const name of ['clone', 'columnar'] as const) await run(worker, name, codecs[name], batch);
        for (let r = 0; r < REPS; r++) {
          progress.update(`  ${values}, batch ${size}: round ${r + 1}/${REPS}`);
          for (const name of ['clone', 'columnar'] as const)
            times[name].push(await run(worker, name, codecs[name], batch));
        }
        const perRecord = (ms: number[]) => (median(ms) * 1000) / (Math.ceil(RECORDS / size) * size);
        const micros = (name: CodecName) => perRecord(times[name].map((t) => t.elapsedMs));
        const cpu = (name: CodecName) => perRecord(times[name].map((t) => t.cpuMs));
        rows.push({
          values,
          batchSize: size,
          cloneMicrosPerRecord: micros('clone'),
          columnarMicrosPerRecord: micros('columnar'),
          speedup: micros('clone') / micros('columnar'),
          cloneCpuMicrosPerRecord: cpu('clone'),
          columnarCpuMicrosPerRecord: cpu('columnar'),
        });
      }
    }
  } finally {
    progress.done();
    await worker.terminate();
    await rm(dir, { recursive: true, force: true });
  }
  log(
    `transport: µs per record, end to end to a worker thread and back (${CREDITS} batches in flight), target columnar <= 0.3`,
  );
  for (const row of rows) {
    log(
      `  ${`${row.values}, batch ${row.batchSize}`.padEnd(22)} structured clone ${row.cloneMicrosPerRecord.toFixed(3)} µs   columnar ${row.columnarMicrosPerRecord.toFixed(3)} µs   x${row.speedup.toFixed(2)}${row.columnarMicrosPerRecord <= 0.3 ? '' : ' (above target)'}   | CPU, both threads: clone ${row.cloneCpuMicrosPerRecord.toFixed(3)} µs, columnar ${row.columnarCpuMicrosPerRecord.toFixed(3)} µs`,
    );
  }
  return rows;
}

/**
 * The worker runs this file too, bundled to JavaScript by esbuild: Node 20 does not give tsx's loader
 * (`--import tsx`) to a worker whose entry is a .ts file.
 */
async function bundleWorker(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'transport-worker.mjs');
  await build({
    entryPoints: [fileURLToPath(import.meta.url)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['esbuild'],
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** The worker side: decode each batch, touch its records, hand the buffers back with the credit. */
function serve(): void {
  const port = parentPort!;
  const codecs: Record<CodecName, BatchCodec> = { columnar: columnarCodec(), clone: structuredCloneCodec };
  let checksum = 0;
  port.on('message', ({ codec, payload }: ToWorker) => {
    const c = codecs[codec];
    const records = c.decode(payload);
    checksum += records.length + records[records.length - 1]!.timestamp;
    const back = c.release(payload);
    port.postMessage(back, back);
  });
  port.on('close', () => checksum);
}

if (!isMainThread) serve();
else if (import.meta.url === `file://${process.argv[1]}`) {
  runTransportBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
