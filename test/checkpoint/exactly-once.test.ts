// The exactly-once proof under real process death (issues 5 and 17): a job of two merged file
// sources, sliding windows and a keyedProcess with state and timers runs in a child process with the
// file backend and an exactly-once sink. It is killed with SIGKILL at seeded points chosen by its
// progress (not by wall time), restarted from its latest checkpoint each time, and its checkpoint
// files are damaged after a commit. In the end the committed results must equal those of a run
// without failures: none lost, none twice; and a damaged committed checkpoint must stop the restart
// with CommittedCheckpointLostError instead of committing results again.
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { toValues } from '../../src/index.js';
import { fileBackend, pipelineDirectory, readTextFileWithOffsets } from '../../src/node/index.js';
import { job, OUT_OF_ORDERNESS, PIPELINE_ID, SOURCE_OPTIONS } from './fixtures/windowed-job.js';

const JOB = join(import.meta.dirname, 'fixtures/windowed-job.ts');
const LINES = 4_000;
/** Kills: 3 while restoring, 3 right after a first checkpoint, 10 after a seeded amount of input. */
const KILLS = 16;
/** Mid-stream kill targets stay this many lines before the end, so the job never finishes first. */
const MARGIN = 800;
/** Keys that are traps for a table built on plain objects, and keys outside the BMP. */
const WORDS = ['alpha', 'beta', '__proto__', 'constructor', '', 'toString', '🦀', 'ünïcödé', 'hasOwnProperty'];
/** The seed of the kill plan; rerun a failure with EXACTLY_ONCE_SEED=<seed>. */
const SEED = Number(process.env['EXACTLY_ONCE_SEED'] ?? 20_261_130);

const root = await mkdtemp(join(tmpdir(), 'rxflink-exactly-once-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/**
 * `<timestamp> <word>` lines, 10 time units apart, each up to 30 earlier, dealt alternately to two
 * files: less disorder than the watermark bound, so no record is late and no result depends on
 * batching or on where a kill came.
 */
function inputs(): [a: string, b: string] {
  expect(OUT_OF_ORDERNESS).toBeGreaterThan(30);
  let state = 42;
  const next = (n: number): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((state / 2_147_483_648) * n);
  };
  const files: [string[], string[]] = [[], []];
  for (let i = 0; i < LINES; i++) files[i % 2]!.push(`${i * 10 - next(4) * 10} ${WORDS[next(WORDS.length)]}`);
  return [`${files[0].join('\n')}\n`, `${files[1].join('\n')}\n`];
}

/** The same job in this process, without checkpoints or sink: what every run must commit. */
function reference(a: string, b: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const results: string[] = [];
    job(readTextFileWithOffsets(a, SOURCE_OPTIONS), readTextFileWithOffsets(b, SOURCE_OPTIONS), false)
      .pipe(toValues())
      .subscribe({
        next: (r) => results.push(r),
        error: reject,
        complete: () => resolve(results),
      });
  });
}

interface Run {
  /** 'killed' by SIGKILL, 'done' (finished), or 'failed' (exit code 1: see `stderr`). */
  readonly outcome: 'killed' | 'done' | 'failed';
  /** The checkpoint the run restored, and the lines its sources resumed after (0 on a fresh start). */
  readonly restoredId: number;
  readonly restoredLines: number;
  /** Checkpoints the run reported stored before it ended. */
  readonly checkpoints: number[];
  /** Whether the kill came after a checkpoint of this run was stored and before the job was done. */
  readonly midStream: boolean;
  readonly stderr: string;
}

/**
 * When to kill a run, by what it reports: as soon as it is `ready` (while it restores), right after
 * its first stored checkpoint, or once it has a stored checkpoint and has read `lines(restored)` lines.
 */
type Kill =
  | { readonly on: 'ready' | 'checkpoint' }
  | { readonly on: 'read'; readonly lines: (restored: number) => number };

/** Starts the job on `state` and `out`, and SIGKILLs it as `kill` says (without one, lets it end). */
function runJob(state: string, out: string, paths: readonly [string, string], kill?: Kill): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', JOB, state, out, ...paths], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let restoredId = 0;
    let restoredLines = 0;
    let read = 0;
    let done = false;
    let killed = false;
    let midStream = false;
    const checkpoints: number[] = [];
    const killNow = (): void => {
      if (killed) return;
      killed = true;
      midStream = checkpoints.length > 0 && !done;
      child.kill('SIGKILL');
    };
    const due = (): boolean => {
      if (kill === undefined || kill.on === 'ready' || checkpoints.length === 0) return false;
      return kill.on === 'read' ? read >= kill.lines(restoredLines) : true;
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
        if (word === 'restored') [restoredId, restoredLines, read] = [Number(a), Number(b), Number(b)];
        else if (word === 'ready' && kill?.on === 'ready') killNow();
        else if (word === 'read') read = Number(a);
        else if (word === 'checkpoint') checkpoints.push(Number(a));
        else if (word === 'done') done = true;
        if (due()) killNow();
      }
    });
    child.on('exit', (code, signal) => {
      const run = { restoredId, restoredLines, checkpoints, midStream, stderr };
      if (killed && signal === 'SIGKILL') resolve({ ...run, outcome: 'killed' });
      else if (code === 0 && done) resolve({ ...run, outcome: 'done' });
      else if (code === 1 && !killed) resolve({ ...run, outcome: 'failed' });
      else
        reject(
          new Error(
            `the job ended unexpectedly (exit code ${code}, signal ${signal}, checkpoints ${checkpoints.join(' ')}): ${stderr}`,
          ),
        );
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
  const results = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(out, f), 'utf8')) as string[]),
  );
  return results.flat();
}

/**
 * Truncates the snapshot file of every stored checkpoint from the last committed one on (so that a
 * restore would have to fall back past it), runs the job, expects CommittedCheckpointLostError, and
 * puts the files back. Returns the committed checkpoint's id.
 */
async function damageAfterCommit(
  state: string,
  out: string,
  paths: readonly [string, string],
  where: string,
): Promise<number> {
  const backend = fileBackend({ directory: state, pipelineId: PIPELINE_ID });
  const { committedCheckpointId } = await backend.commitRecord();
  const stored = (await backend.list()).map((i) => i.checkpointId).filter((id) => id >= committedCheckpointId);
  await backend.close();
  // The latest stored checkpoint is never older than the last committed one.
  expect(stored.length, where).toBeGreaterThan(0);
  const directory = pipelineDirectory(state, PIPELINE_ID);
  const backup = join(root, `backup-${committedCheckpointId}`);
  await cp(directory, backup, { recursive: true });
  for (const id of stored) await truncate(join(directory, `snapshot-${id}`), 40);
  const run = await runJob(state, out, paths);
  expect(run.outcome, where).toBe('failed');
  expect(run.stderr, where).toMatch(
    new RegExp(`^CommittedCheckpointLostError: The output of checkpoint ${committedCheckpointId} was committed`),
  );
  await rm(directory, { recursive: true });
  await cp(backup, directory, { recursive: true });
  return committedCheckpointId;
}

it('SIGKILL at seeded points, checkpoint files damaged after commits: every result committed exactly once, or a typed error', async () => {
  const paths: [string, string] = [join(root, 'a.txt'), join(root, 'b.txt')];
  const [a, b] = inputs();
  await writeFile(paths[0], a);
  await writeFile(paths[1], b);
  const expected = (await reference(...paths)).sort();
  expect(expected.length).toBeGreaterThan(500);
  // The keys that are traps made it through the reference run as keys of their own.
  for (const word of ['__proto__', 'constructor', '', '🦀'])
    expect(expected.some((r) => r.startsWith(`${JSON.stringify(word)}@`))).toBe(true);

  // Kills by progress: every fifth while the job restores (at `ready`), every fifth right after its
  // first checkpoint, the others once it has a checkpoint and has read up to `step` lines (seeded)
  // more than it restored, at most up to MARGIN lines before the end: together they go through most of
  // the input, and how many come mid-stream does not depend on the machine's load.
  const where = `seed ${SEED} (rerun with EXACTLY_ONCE_SEED=${SEED})`;
  const random = mulberry32(SEED);
  // A kill after `u * step` more lines; the restore point lags a little behind the kill.
  const step = 700;
  const plan = Array.from({ length: KILLS }, (_, k): Kill => {
    const u = random();
    if (k % 5 === 2) return { on: 'ready' };
    if (k % 5 === 4) return { on: 'checkpoint' };
    return { on: 'read', lines: (restored) => Math.min(LINES - MARGIN, restored + 1 + Math.floor(u * step)) };
  });
  const state = join(root, 'state');
  const out = join(root, 'out');
  await mkdir(out, { recursive: true });
  const runs: Run[] = [];
  let lastStored = 0;
  let damagedAt: number | undefined;
  for (const [k, kill] of plan.entries()) {
    const run = await runJob(state, out, paths, kill);
    expect(run.outcome, `${where}: ${run.stderr}`).toBe('killed');
    // Each start resumes from the latest checkpoint stored, never from an older one.
    expect(run.restoredId, where).toBeGreaterThanOrEqual(lastStored);
    expect(run.restoredLines, where).toBeGreaterThanOrEqual(runs.at(-1)?.restoredLines ?? 0);
    lastStored = Math.max(lastStored, run.restoredId, ...run.checkpoints);
    runs.push(run);
    // Halfway, the files of the checkpoints from the last committed one on are damaged.
    if (k === Math.floor(KILLS / 2)) damagedAt = await damageAfterCommit(state, out, paths, where);
  }
  const last = await runJob(state, out, paths);
  expect(last.outcome, `${where}: ${last.stderr}`).toBe('done');

  const kills = runs.filter((r) => r.outcome === 'killed');
  const midStream = kills.filter((r) => r.midStream);
  const summary = `${where}: ${kills.length} kills, ${midStream.length} mid-stream, restored at lines ${runs.map((r) => r.restoredLines).join(' ')} ${last.restoredLines}`;
  console.info(`exactly-once: ${summary}; damaged after commit ${damagedAt}`);
  expect(kills.length, summary).toBe(KILLS);
  // Every kill planned after a checkpoint came mid-stream, whatever the load.
  expect(midStream.length, summary).toBe(plan.filter((p) => p.on !== 'ready').length);
  // The kills went into the input: the final run resumed well past its start. (Checkpoints come by
  // processing time, so the restore point lags further behind the kills on a loaded machine: 830 of
  // 4,000 lines at load 7–10, about 2,000 alone.)
  expect(last.restoredLines, summary).toBeGreaterThan(LINES / 8);

  const results = await committed(out);
  expect(results.length, summary).toBe(expected.length);
  expect(results.sort(), summary).toEqual(expected);

  // Damaged after the final commit, the finished job is refused too: restoring the checkpoint
  // before the final one would commit the final one's results again.
  await damageAfterCommit(state, out, paths, `${summary}, after the end`);
  expect((await committed(out)).sort()).toEqual(expected);
}, 180_000);
