/**
 * Keyed state export benchmark (issue 16), ratios measured in the same run:
 * (a) an incremental checkpoint of keyed state with 1% of 1,000,000 keys changed costs at most 5%
 *     of a full one: keyedProcess's `snapshotCheckpoint` and the encoding a backend stores
 *     (`encodeEnvelope` with binary columns), full vs incremental. The same measure runs for a
 *     windowed operator, whose state is exported through the same format (checked: its checkpoint
 *     has keyed tables named `<keyGroup>/<rows>`);
 * (b) restoring half the key groups of a 1,000,000-key snapshot takes at most 55% of restoring all:
 *     from the stored bytes (`importSnapshot`) to the declared state (`restoreCheckpoint`, then the
 *     state's first access), for keyedProcess and for the windowed operator.
 *
 * Times are CPU time of the process (the bench machines are shared).
 *
 *   npm run bench -- state
 *   npm run bench -- state --quick    (100,000 keys, while iterating; the figures to report are at 1M)
 *   node --expose-gc --import tsx bench/state-bench.ts
 *   ... --runs=5 (runs per measure), --restore ((b) only), --sliding (the general path only), --pane
 *   (the pane path's tumbling case and the general path's)
 */
import { pathToFileURL } from 'node:url';
import { valueState, watermark, type StreamElement } from '../src/index.js';
import {
  encodeEnvelope,
  exportSnapshot,
  importSnapshot,
  keyGroupOf,
  keyGroupOfTable,
  keyedRecord,
  KeyedProcessOperator,
  SNAPSHOT_FORMAT_VERSION,
  WindowOperator,
  type OperatorStateSnapshot,
  type Snapshot,
} from '../src/engine/index.js';
import type { PendingCheckpoint } from '../src/core/checkpointing.js';
import { slidingEventTimeWindows, sum, tumblingEventTimeWindows } from '../src/window/index.js';
import { OperatorHarness } from '../src/testing/index.js';
import { median } from './lib.js';

const KEYS = process.argv.includes('--quick') ? 100_000 : 1_000_000;
const CHANGED = KEYS / 100;
/** `--runs=N`: runs per measure (the median is reported; 3 without it). */
const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 3);
const count = valueState<number>('count');

const checkpoint = (checkpointId: number, incremental: boolean): PendingCheckpoint => ({
  checkpointId,
  incremental,
  report: () => {},
  hold: () => () => {},
  onComplete: () => {},
});

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** CPU time of `run` (user + system): on a machine shared with other jobs, wall time includes waiting for a core. */
async function ms(run: () => void, collect = true): Promise<number> {
  if (collect) {
    gc();
    // The collector sweeps on other threads after gc(): let it finish, its CPU time is not the run's.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** A checkpoint as a backend stores it: the operator's report, encoded with binary columns. */
function stored(uid: string, state: OperatorStateSnapshot): Uint8Array {
  return encodeEnvelope({ type: 'snapshot' }, { operators: { [uid]: state } }, { columns: true });
}

/** One record per key for `keys` keys, key `key-<i>` (records carry their key group, as after keyBy). */
function records(keys: number, from = 0, stride = 1): StreamElement<number, string>[] {
  const out: StreamElement<number, string>[] = new Array(keys);
  for (let i = 0; i < keys; i++) {
    const key = `key-${(from + i * stride) % KEYS}`;
    out[i] = keyedRecord(i, 1, key, keyGroupOf(key));
  }
  return out;
}

/** Feeds `elements` in batches (spreading a million arguments would overflow the stack). */
function feed(
  h: OperatorHarness<number, string, unknown, string>,
  elements: readonly StreamElement<number, string>[],
): void {
  for (let i = 0; i < elements.length; i += 10_000) h.process(...elements.slice(i, i + 10_000));
  h.takeOutput();
}

type Exporter = {
  readonly name: string;
  readonly uid: string;
  create(): OperatorHarness<number, string, unknown, string>;
  /** The keys a restored operator holds, once its state is in place (its first access, for declared states). */
  restoredKeys(operator: unknown): number;
};

const keyedProcessCase: Exporter = {
  name: 'keyedProcess (a value state per key)',
  uid: 'counts',
  create: () =>
    new OperatorHarness(
      (rt) =>
        new KeyedProcessOperator<number, string, never>(
          {
            processElement(value, ctx) {
              ctx.getState(count).update(value);
            },
          },
          { uid: 'counts' },
          rt,
        ),
    ) as unknown as OperatorHarness<number, string, unknown, string>,
  restoredKeys: (operator) => {
    const target = operator as KeyedProcessOperator<number, string, never>;
    target.backend.getState(count); // declared: the rows are loaded into the table
    return target.backend.entryCount('count');
  },
};

const windowCase: Exporter = {
  name: 'window (tumbling event time, sum per key)',
  uid: 'sums',
  create: () =>
    new OperatorHarness(
      (rt) =>
        new WindowOperator<number, string, number>(
          {
            keyed: true,
            assigner: tumblingEventTimeWindows(1_000_000),
            fn: { kind: 'aggregate', aggregate: sum((v: number) => v) },
            uid: 'sums',
          },
          rt,
        ),
    ) as unknown as OperatorHarness<number, string, unknown, string>,
  restoredKeys: (operator) => (operator as WindowOperator<number, string, number>).windowCount, // (one window per key)
};

/** The general window path: sliding windows (two per key), contents, trigger and timers on the state layer. */
const slidingCase: Exporter = {
  name: 'window (sliding event time, sum per key: general path, two windows per key)',
  uid: 'sliding-sums',
  create: () =>
    new OperatorHarness(
      (rt) =>
        new WindowOperator<number, string, number>(
          {
            keyed: true,
            assigner: slidingEventTimeWindows(2_000_000, 1_000_000),
            fn: { kind: 'aggregate', aggregate: sum((v: number) => v) },
            uid: 'sliding-sums',
          },
          rt,
        ),
    ) as unknown as OperatorHarness<number, string, unknown, string>,
  restoredKeys: (operator) => (operator as WindowOperator<number, string, number>).windowCount / 2,
};

/** Whether the operator's checkpoint is in the key-grouped format (every keyed table named `<keyGroup>/<rows>`). */
function keyGrouped(state: OperatorStateSnapshot): boolean {
  const tables = Object.keys(state.keyed ?? {});
  return tables.length > 0 && tables.every((t) => keyGroupOfTable(t) !== undefined);
}

/** (a): full vs incremental checkpoint, export and encoding. Undefined when the operator's export is not key-grouped. */
async function incrementalRatio(c: Exporter): Promise<{ full: number; delta: number } | undefined> {
  const h = c.create();
  const op = h.operator;
  if (op.snapshotCheckpoint === undefined) return undefined;
  feed(h, records(KEYS));
  let id = 0;
  const probe = op.snapshotCheckpoint!(checkpoint(++id, false));
  if (!keyGrouped(probe)) return undefined;
  // Warm-up (JIT): incremental checkpoints are small, a cold one measures the compiler.
  for (let run = 0; run < 3; run++) {
    feed(h, records(CHANGED, 104_729 * (run + 1), 100));
    stored(c.uid, op.snapshotCheckpoint!(checkpoint(++id, true)));
  }
  const fulls: number[] = [];
  const deltas: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    fulls.push(await ms(() => stored(c.uid, op.snapshotCheckpoint!(checkpoint(++id, false)))));
    feed(h, records(CHANGED, run * 7919, 100));
    let state: OperatorStateSnapshot | undefined;
    deltas.push(
      await ms(() => {
        state = op.snapshotCheckpoint!(checkpoint(++id, true));
        stored(c.uid, state);
      }, false),
    ); // a full collection before a small run makes the run pay for rebuilding the young generation
    // (Keys with rows in the delta: a key may have a row in several tables, e.g. contents and timers.)
    const keys = new Set<unknown>();
    for (const t of Object.values(state!.keyed!)) for (const k of t.keys) keys.add(k);
    const rows = keys.size;
    if (rows < CHANGED * 0.9 || rows > CHANGED * 1.1)
      throw new Error(`bench: the delta holds ${rows} rows, not about ${CHANGED}`);
  }
  h.process(watermark(Number.MAX_SAFE_INTEGER));
  return { full: median(fulls), delta: median(deltas) };
}

/**
 * The bytes of a full checkpoint of `c` with every key. The operator that took it is left to the
 * collector before the restores are timed: a million keys of windows alive beside the restored ones
 * made the restore of all key groups pay for collections near the heap's limit.
 */
function storedSnapshot(c: Exporter): Uint8Array {
  const h = c.create();
  feed(h, records(KEYS));
  const snapshot: Snapshot = {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    pipelineId: 'bench',
    checkpointId: 1,
    kind: 'checkpoint',
    createdAt: 0,
    operators: { [c.uid]: h.operator.snapshotCheckpoint!(checkpoint(1, false)) },
    sources: {},
    watermarks: {},
  };
  return exportSnapshot(snapshot);
}

/** (b): restore all key groups vs half of them, from the stored bytes to the declared state. */
async function rangeRestoreRatio(c: Exporter): Promise<{ all: number; half: number; ratios: number[] }> {
  const bytes = storedSnapshot(c);
  const restore = async (keyGroups?: { start: number; end: number }): Promise<number> => {
    const target = c.create().operator;
    let n = 0;
    const time = await ms(() => {
      const loaded = importSnapshot(bytes, keyGroups === undefined ? {} : { keyGroups });
      target.restoreCheckpoint!(loaded.operators[c.uid]!, keyGroups === undefined ? {} : { keyGroups });
      n = c.restoredKeys(target);
    });
    if (keyGroups === undefined ? n !== KEYS : n < KEYS * 0.45 || n > KEYS * 0.55)
      throw new Error(`bench: restored ${n} keys`);
    return time;
  };
  await restore();
  await restore({ start: 0, end: 63 }); // warm-up (JIT)
  const all: number[] = [];
  const half: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    all.push(await restore());
    half.push(await restore({ start: 0, end: 63 }));
  }
  return { all: median(all), half: median(half), ratios: all.map((a, i) => (half[i]! / a) * 100) };
}

/** `--sliding`: the general path's case alone; `--pane`: tumbling windows (the pane path) and the general path's case. */
const CASES = process.argv.includes('--sliding')
  ? [slidingCase]
  : process.argv.includes('--pane')
    ? [windowCase, slidingCase]
    : [keyedProcessCase, windowCase, slidingCase];
/** `--restore`: the restore ratios (b) only. */
const RESTORE_ONLY = process.argv.includes('--restore');

/** Runs the state bench and prints its ratios. */
export async function runStateBench(): Promise<void> {
  const keyCount = KEYS.toLocaleString('en');
  for (const c of RESTORE_ONLY ? [] : CASES) {
    const r = await incrementalRatio(c);
    if (r === undefined) {
      console.log(`(a) ${c.name}: its checkpoint is not in the key-grouped format yet, not measured`);
      continue;
    }
    const ratio = (r.delta / r.full) * 100;
    console.log(
      `(a) ${c.name}, ${keyCount} keys: full checkpoint ${r.full.toFixed(0)} ms CPU, incremental with 1% changed ${r.delta.toFixed(1)} ms CPU: ` +
        `${ratio.toFixed(2)}% of a full one (target <= 5%) ${ratio <= 5 ? 'OK' : 'MISSED'}`,
    );
  }
  for (const c of CASES) {
    const r = await rangeRestoreRatio(c);
    const ratio = (r.half / r.all) * 100;
    console.log(
      `(b) ${c.name}, restore of a ${keyCount}-key snapshot: all key groups ${r.all.toFixed(0)} ms CPU, half (0..63) ${r.half.toFixed(0)} ms CPU: ` +
        `${ratio.toFixed(1)}% of all (target <= 55%) ${ratio <= 55 ? 'OK' : 'MISSED'} (median of ${RUNS} runs; ratios per run ${r.ratios.map((x) => `${x.toFixed(0)}%`).join(' ')})`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runStateBench();
