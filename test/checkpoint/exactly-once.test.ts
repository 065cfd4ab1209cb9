// The exactly-once proof under real process death (issue 5): a windowed count runs in a child
// process with the file backend and an exactly-once sink; it is killed with SIGKILL at random
// points, restarted from its latest checkpoint each time, and in the end the committed window
// results must equal those of a run without failures: none lost, none twice.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { toValues } from '../../src/index.js';
import { readTextFileWithOffsets } from '../../src/node/index.js';
import { describeResult, OUT_OF_ORDERNESS, SOURCE_OPTIONS, windowedCounts } from './fixtures/windowed-job.js';

const JOB = join(import.meta.dirname, 'fixtures/windowed-job.ts');
const LINES = 5_000;
const KILLS = 25;
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];

const root = await mkdtemp(join(tmpdir(), 'rxflink-exactly-once-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/**
 * `<timestamp> <word>` lines, 10 time units apart, each up to 30 earlier: less disorder than the
 * watermark bound, so no record is late and no result depends on batching or on where a kill came.
 */
function input(): string {
  expect(OUT_OF_ORDERNESS).toBeGreaterThan(30);
  let state = 42;
  const next = (n: number): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((state / 2_147_483_648) * n);
  };
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) lines.push(`${i * 10 - next(4) * 10} ${WORDS[next(WORDS.length)]}`);
  return `${lines.join('\n')}\n`;
}

/** The same pipeline in this process, without checkpoints or sink: what every run must commit. */
function reference(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const results: string[] = [];
    readTextFileWithOffsets(path, SOURCE_OPTIONS).pipe(windowedCounts(false), toValues()).subscribe({
      next: (r) => results.push(describeResult(r)),
      error: reject,
      complete: () => resolve(results),
    });
  });
}

interface Run {
  /** 'killed' by SIGKILL, or 'done' (the job finished before any kill). */
  readonly outcome: 'killed' | 'done';
  /** The checkpoint the run restored, and the line its source resumed at (0 on a fresh start). */
  readonly restoredId: number;
  readonly restoredLine: number;
  /** Checkpoints the run reported stored before it ended. */
  readonly checkpoints: number[];
  /** Whether the kill came after a checkpoint of this run was stored and before the job was done. */
  readonly midStream: boolean;
  /** Processing time from `ready` to `done` (for a run that finished). */
  readonly runMs: number | undefined;
}

/**
 * When to kill a run: `ms(remaining)` after it is `ready`, or after its first stored checkpoint;
 * `remaining` is the part of the input left after the line it resumed at (1 on a fresh start).
 */
interface Kill {
  readonly after: 'ready' | 'checkpoint';
  readonly ms: (remaining: number) => number;
}

/** Starts the job on `state` and `out`, and SIGKILLs it as `kill` says (without one, lets it finish). */
function runJob(state: string, out: string, path: string, kill?: Kill): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', JOB, state, out, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let restoredId = 0;
    let restoredLine = 0;
    let readyAt = 0;
    let runMs: number | undefined;
    let done = false;
    let killed = false;
    let midStream = false;
    let timer: NodeJS.Timeout | undefined;
    const checkpoints: number[] = [];
    const killLater = (): void => {
      timer = setTimeout(() => {
        killed = true;
        midStream = checkpoints.length > 0 && !done;
        child.kill('SIGKILL');
      }, kill!.ms(1 - restoredLine / LINES));
    };
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const lines = stdout.split('\n');
      stdout = lines.pop()!;
      for (const line of lines) {
        const [word, a, b] = line.split(' ');
        if (word === 'restored') [restoredId, restoredLine] = [Number(a), Number(b)];
        else if (word === 'ready') {
          readyAt = performance.now();
          if (kill?.after === 'ready') killLater();
        } else if (word === 'checkpoint') {
          checkpoints.push(Number(a));
          if (kill?.after === 'checkpoint' && checkpoints.length === 1) killLater();
        } else if (word === 'done') {
          done = true;
          runMs = performance.now() - readyAt;
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (killed && signal === 'SIGKILL') resolve({ outcome: 'killed', restoredId, restoredLine, checkpoints, midStream, runMs });
      else if (code === 0 && done) resolve({ outcome: 'done', restoredId, restoredLine, checkpoints, midStream: false, runMs });
      else reject(new Error(`the job ended without printing done (exit code ${code}, signal ${signal}, checkpoints ${checkpoints.join(' ')}): ${stderr}`));
    });
  });
}

/** A seeded generator of uniform numbers in [0, 1) (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Every committed result: the contents of all `commit-<id>.json` files. */
async function committed(out: string): Promise<string[]> {
  const files = (await readdir(out)).filter((f) => /^commit-\d+\.json$/.test(f));
  const results = await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(out, f), 'utf8')) as string[]));
  return results.flat();
}

it('SIGKILL at random points, restart from the latest checkpoint: the committed windows equal a run without failures', async () => {
  const path = join(root, 'input.txt');
  await writeFile(path, input());
  const expected = (await reference(path)).sort();
  expect(expected.length).toBeGreaterThan(500);

  // A run without failures, in its own directories: its results, and how long the job takes.
  const clean = { state: join(root, 'clean-state'), out: join(root, 'clean-out') };
  await mkdir(clean.out, { recursive: true });
  const cleanRun = await runJob(clean.state, clean.out, path);
  expect(cleanRun.outcome).toBe('done');
  expect(cleanRun.checkpoints.length).toBeGreaterThan(1); // not only the final one (how many depends on the load)
  expect((await committed(clean.out)).sort()).toEqual(expected);
  const runMs = cleanRun.runMs!;

  // Every fifth kill comes at a random point of the run's first 30 ms: while it restores, before or
  // around its first checkpoint. The others come at a random point after its first checkpoint, up
  // to twice a KILLSth of the clean run's time: together the kills go through most of the input.
  // No kill waits more than half the time the rest of the input took in the clean run, so that the
  // job does not finish before its kill even when it runs faster than the clean run did.
  const seed = Number(process.env['EXACTLY_ONCE_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
  const where = `seed ${seed} (rerun with EXACTLY_ONCE_SEED=${seed})`;
  const random = mulberry32(seed);
  const plan = Array.from({ length: KILLS }, (_, k): Kill => {
    const early = k % 5 === 2;
    const u = random();
    return { after: early ? 'ready' : 'checkpoint', ms: (remaining) => u * Math.min(early ? 30 : (2 * runMs) / KILLS, (remaining * runMs) / 2) };
  });
  const state = join(root, 'state');
  const out = join(root, 'out');
  await mkdir(out, { recursive: true });
  const runs: Run[] = [];
  let lastStored = 0;
  for (const kill of plan) {
    const run = await runJob(state, out, path, kill);
    // Each start resumes from the latest checkpoint stored, never from an older one.
    expect(run.restoredId, where).toBeGreaterThanOrEqual(lastStored);
    expect(run.restoredLine, where).toBeGreaterThanOrEqual(runs.at(-1)?.restoredLine ?? 0);
    lastStored = Math.max(lastStored, run.restoredId, ...run.checkpoints);
    runs.push(run);
  }
  const last = await runJob(state, out, path);
  expect(last.outcome, where).toBe('done');

  const kills = runs.filter((r) => r.outcome === 'killed');
  const midStream = kills.filter((r) => r.midStream);
  const summary = `${where}: ${kills.length} kills, ${midStream.length} mid-stream, restored at lines ${runs.map((r) => r.restoredLine).join(' ')} ${last.restoredLine}`;
  console.info(`exactly-once: ${summary}; clean run ${Math.round(runMs)} ms with ${cleanRun.checkpoints.length} checkpoints`);
  expect(kills.length, summary).toBeGreaterThanOrEqual(20);
  expect(midStream.length, summary).toBeGreaterThanOrEqual(15);
  // The kills went into the input: the final run resumed well past its start.
  expect(last.restoredLine, summary).toBeGreaterThan(LINES / 10);

  const results = await committed(out);
  expect(results.length, summary).toBe(expected.length);
  expect(results.sort(), summary).toEqual(expected);
}, 180_000);
