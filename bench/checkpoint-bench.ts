/**
 * Checkpoint storage benchmark (issue 5, "Speed"):
 * - save and load of a snapshot holding 1,000,000 keys of count state with the file backend
 *   (target: each under one second);
 * - an incremental checkpoint with 1% of the keys changed vs a full one (target: under 5%);
 * - the same save and load with the IndexedDB backend in real Chromium, when /usr/bin/chromium exists;
 * - in-band: what an operator's barrier costs before storage, KeyedStateBackend.snapshot over
 *   1,000,000 keys of count state, full and with 1% of the keys changed, and restore.
 *
 * Run alone: node --expose-gc --import tsx bench/checkpoint-bench.ts
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SNAPSHOT_FORMAT_VERSION, type Snapshot } from '../src/checkpoint/index.js';
import { fileBackend } from '../src/node/checkpoint/index.js';
import { KeyedStateBackend, valueState, type KeyedStateExport } from '../src/state/index.js';

const KEYS = 1_000_000;
const CHANGED = KEYS / 100;
const RUNS = 3;
const DELTAS_PER_FULL = 4;

export interface CheckpointBenchResult {
  readonly name: string;
  /** Median over the runs, in milliseconds (wall clock). */
  readonly ms: number;
  /**
   * Median CPU time of this process (user + system, all threads) over the same runs: on a machine
   * shared with other jobs, wall time includes waiting for a core, CPU time does not.
   */
  readonly cpuMs?: number;
  readonly bytes?: number;
  readonly note?: string;
}

interface Columns {
  keys: string[];
  values: number[];
}

function countSnapshot(
  checkpointId: number,
  { keys, values }: Columns,
  parentCheckpointId?: number,
  deletes: string[] = [],
): Snapshot {
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    pipelineId: 'bench',
    checkpointId,
    kind: 'checkpoint',
    createdAt: checkpointId,
    ...(parentCheckpointId !== undefined ? { parentCheckpointId } : {}),
    operators: {
      counts: {
        stateVersion: 1,
        state: null,
        keyed: {
          count:
            parentCheckpointId === undefined
              ? { kind: 'full', keys, values }
              : { kind: 'delta', keys, values, deletes },
        },
      },
    },
    sources: { words: { offset: checkpointId * KEYS } },
    watermarks: { words: checkpointId * 1000 },
  };
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const cpu: number[] = [];

async function time(fn: () => Promise<unknown>): Promise<number> {
  gc();
  // Let the collector's concurrent sweeping finish: measured right after gc(), a 4 ms save shows
  // up as 18 ms on this machine.
  await new Promise((r) => setTimeout(r, 100));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  return wall;
}

/** The CPU times of the last `n` measurements. */
function lastCpu(n: number): number[] {
  return cpu.slice(-n);
}

/** Runs the checkpoint benchmark, prints its figures, and returns them. */
export async function runCheckpointBench(): Promise<CheckpointBenchResult[]> {
  const results = await measure();
  print(results);
  return results;
}

async function measure(): Promise<CheckpointBenchResult[]> {
  const results: CheckpointBenchResult[] = [];
  const directory = await mkdtemp(join(tmpdir(), 'rxflink-bench-'));
  try {
    // Count state as the keyed state exports it: keys[i] owns values[i].
    const full: Columns = { keys: [], values: [] };
    for (let i = 0; i < KEYS; i++) {
      full.keys.push(`key-${i}`);
      full.values.push(i % 1000);
    }
    const changed: Columns = { keys: [], values: [] };
    for (let i = 0; i < CHANGED; i++) {
      changed.keys.push(`key-${i * 100}`);
      changed.values.push(i + 1);
    }

    const saves: number[] = [];
    const loads: number[] = [];
    const deltas: number[] = [];
    const chainLoads: number[] = [];
    const cpuOf = { saves: [] as number[], loads: [] as number[], deltas: [] as number[], chainLoads: [] as number[] };
    let fullBytes = 0;
    let deltaBytes = 0;
    // Steady state, as a running pipeline sees it: one backend, each full checkpoint followed by
    // incremental ones (1% of the keys changed each time) up to the chain bound.
    const backend = fileBackend({ directory, pipelineId: 'bench', keep: 10, maxChainLength: DELTAS_PER_FULL });
    for (let run = 0; run < RUNS; run++) {
      const base = run * 10 + 1;
      saves.push(
        await time(async () => {
          fullBytes = (await backend.save(countSnapshot(base, full))).byteLength;
        }),
      );
      cpuOf.saves.push(...lastCpu(1));
      loads.push(
        await time(async () => {
          const s = await backend.load(base);
          const table = s?.operators.counts?.keyed?.count;
          if (table?.kind !== 'full' || table.keys.length !== KEYS) throw new Error('bench: wrong restore');
        }),
      );
      cpuOf.loads.push(...lastCpu(1));
      for (let d = 1; d <= DELTAS_PER_FULL; d++) {
        deltas.push(
          await time(async () => {
            deltaBytes = (await backend.save(countSnapshot(base + d, changed, base + d - 1))).byteLength;
          }),
        );
        cpuOf.deltas.push(...lastCpu(1));
      }
      chainLoads.push(
        await time(async () => {
          const s = await backend.load(base + DELTAS_PER_FULL);
          const table = s?.operators.counts?.keyed?.count;
          if (table?.kind !== 'full' || table.keys.length !== KEYS || table.values[100] !== 2)
            throw new Error('bench: wrong chain restore');
        }),
      );
      cpuOf.chainLoads.push(...lastCpu(1));
    }
    await backend.close();
    const save = median(saves);
    const delta = median(deltas);
    results.push(
      {
        name: `files: save full checkpoint, ${KEYS.toLocaleString('en')} count keys`,
        ms: save,
        cpuMs: median(cpuOf.saves),
        bytes: fullBytes,
      },
      {
        name: `files: load full checkpoint, ${KEYS.toLocaleString('en')} count keys`,
        ms: median(loads),
        cpuMs: median(cpuOf.loads),
      },
      {
        name: `files: save incremental checkpoint, 1% (${CHANGED.toLocaleString('en')}) keys changed`,
        ms: delta,
        cpuMs: median(cpuOf.deltas),
        bytes: deltaBytes,
        note: `${((delta / save) * 100).toFixed(2)}% of a full save (bytes: ${((deltaBytes / fullBytes) * 100).toFixed(2)}%)`,
      },
      {
        name: `files: load incremental checkpoint (full base + ${DELTAS_PER_FULL} deltas, merged)`,
        ms: median(chainLoads),
        cpuMs: median(cpuOf.chainLoads),
      },
    );
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  results.push(...(await inBandFigures()));
  results.push(...(await chromiumFigures()));
  return results;
}

/**
 * The operator side of a checkpoint: exporting a backend's count state (key-grouped rows) at the
 * barrier (the pipeline waits for this), in full and incrementally, and importing it on restore.
 */
async function inBandFigures(): Promise<CheckpointBenchResult[]> {
  const count = valueState<number>('count');
  const backend = new KeyedStateBackend({ uid: 'counts', now: () => 0 });
  const state = backend.getState(count);
  for (let i = 0; i < KEYS; i++) {
    backend.setCurrentKey(`key-${i}`);
    state.update(i % 1000);
  }
  // Warm-up (JIT): one full and one incremental export, not measured.
  backend.snapshot();
  backend.snapshot({ incremental: true });
  const fulls: number[] = [];
  const deltas: number[] = [];
  const restores: number[] = [];
  let exported: KeyedStateExport | undefined;
  let rows = 0;
  for (let run = 0; run < RUNS; run++) {
    fulls.push(
      await time(async () => {
        exported = backend.snapshot();
      }),
    );
    for (let i = 0; i < CHANGED; i++) {
      backend.setCurrentKey(`key-${i * 100}`);
      state.update(run + i);
    }
    deltas.push(
      await time(async () => {
        rows = Object.values(backend.snapshot({ incremental: true }).tables).reduce((n, t) => n + t.keys.length, 0);
      }),
    );
    if (rows !== CHANGED) throw new Error('bench: the delta does not hold exactly the changed keys');
    const restored = new KeyedStateBackend({ uid: 'counts', now: () => 0 });
    restores.push(
      await time(async () => {
        restored.restore(exported!);
        restored.getState(count); // declared: the rows are loaded into the table
      }),
    );
    if (restored.entryCount('count') !== KEYS) throw new Error('bench: wrong in-band restore');
  }
  backend.clearCurrentKey();
  const full = median(fulls);
  const delta = median(deltas);
  return [
    { name: `in-band: snapshot() full, ${KEYS.toLocaleString('en')} count keys`, ms: full },
    {
      name: `in-band: snapshot({ incremental }), , 1% (${CHANGED.toLocaleString('en')}) keys changed`,
      ms: delta,
      note: `${((delta / full) * 100).toFixed(2)}% of a full export`,
    },
    { name: `in-band: restore(), ${KEYS.toLocaleString('en')} count keys`, ms: median(restores) },
  ];
}

/** The IndexedDB backend's figures in real Chromium, through the test harness. */
async function chromiumFigures(): Promise<CheckpointBenchResult[]> {
  const { CHROMIUM_PATH, startHarness } = await import('../test/browser/harness.js');
  if (!existsSync(CHROMIUM_PATH))
    return [{ name: 'indexeddb (Chromium)', ms: NaN, note: `skipped: no ${CHROMIUM_PATH}` }];
  const h = await startHarness({ entry: 'test/browser/entries/idb-entry.ts' });
  try {
    const page = await h.newPage();
    const opened = await page.evaluate(() => window.__rx.open('bench', 'bench', 'fail', 10));
    if (!opened.ok) throw new Error(opened.message);
    const saves: number[] = [];
    const loads: number[] = [];
    const encodes: number[] = [];
    const decodes: number[] = [];
    let bytes = 0;
    for (let run = 0; run < RUNS; run++) {
      const r = await page.evaluate(([id, keys]) => window.__rx.time('bench', id!, keys!), [run + 1, KEYS]);
      if (r.keys !== KEYS) throw new Error('bench: wrong IndexedDB restore');
      saves.push(r.saveMs);
      loads.push(r.loadMs);
      encodes.push(r.encodeMs);
      decodes.push(r.decodeMs);
      bytes = r.bytes;
    }
    // Incremental checkpoints on top of the last full one (chain bound 4, the default).
    const deltas: number[] = [];
    for (let d = 1; d <= 4; d++) {
      const r = await page.evaluate(
        ([parent, id, changed]) => window.__rx.timeDelta('bench', parent!, id!, changed!),
        [RUNS + d - 1, RUNS + d, CHANGED],
      );
      if (r.chainLength !== d) throw new Error('bench: the IndexedDB delta was not stored incrementally');
      deltas.push(r.saveMs);
    }
    return [
      {
        name: `indexeddb (Chromium): save full checkpoint, ${KEYS.toLocaleString('en')} count keys`,
        ms: median(saves),
        bytes,
        note: `of which encoding ${median(encodes).toFixed(0)} ms`,
      },
      {
        name: `indexeddb (Chromium): load full checkpoint, ${KEYS.toLocaleString('en')} count keys`,
        ms: median(loads),
        note: `of which decoding ${median(decodes).toFixed(0)} ms`,
      },
      {
        name: `indexeddb (Chromium): save incremental checkpoint, 1% (${CHANGED.toLocaleString('en')}) keys changed`,
        ms: median(deltas),
        note: `${((median(deltas) / median(saves)) * 100).toFixed(2)}% of a full save`,
      },
    ];
  } finally {
    await h.close();
  }
}

function print(results: readonly CheckpointBenchResult[]): void {
  for (const r of results) {
    const size = r.bytes === undefined ? '' : ` (${(r.bytes / 1e6).toFixed(1)} MB)`;
    const cpuText = r.cpuMs === undefined ? '' : ` (CPU ${r.cpuMs.toFixed(1)} ms)`;
    console.log(
      `${r.name}: ${Number.isNaN(r.ms) ? '-' : `${r.ms.toFixed(1)} ms`}${cpuText}${size}${r.note ? ` - ${r.note}` : ''}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runCheckpointBench();
}
