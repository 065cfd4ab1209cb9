import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { fileBackend, pipelineDirectory } from '../../src/node/checkpoint/index.js';
import { acquireOwnership, LOCK_FILE, releaseOwnership } from '../../src/node/checkpoint/owner-lock.js';
import { snapshot } from './fixtures.js';

/**
 * A process killed in the middle of a file-system call, simulated: `kill.at` counts the calls that
 * change files (writeFile, link, rename, rm) and the one it reaches dies. A killed writeFile has
 * created its file but written nothing into it (what a SIGKILL between open and write leaves); the
 * other calls die before they happen.
 */
const kill = vi.hoisted(() => ({ at: 0, calls: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const dies = (): boolean => kill.at > 0 && ++kill.calls === kill.at;
  const killed = (): Error => Object.assign(new Error('simulated kill'), { killed: true });
  const mocked = {
    ...fs,
    writeFile: (async (
      path: Parameters<typeof fs.writeFile>[0],
      data: Parameters<typeof fs.writeFile>[1],
      options?: Parameters<typeof fs.writeFile>[2],
    ) => {
      if (dies()) {
        const flag = typeof options === 'object' && options !== null && 'flag' in options ? options.flag : 'w';
        await fs.writeFile(path, '', { flag });
        throw killed();
      }
      return fs.writeFile(path, data, options);
    }) as typeof fs.writeFile,
    link: (async (...args: Parameters<typeof fs.link>) => {
      if (dies()) throw killed();
      return fs.link(...args);
    }) as typeof fs.link,
    rename: (async (...args: Parameters<typeof fs.rename>) => {
      if (dies()) throw killed();
      return fs.rename(...args);
    }) as typeof fs.rename,
    rm: (async (...args: Parameters<typeof fs.rm>) => {
      if (dies()) throw killed();
      return fs.rm(...args);
    }) as typeof fs.rm,
  };
  return { ...mocked, default: mocked };
});

const root = await mkdtemp(join(tmpdir(), 'rxflink-owner-lock-'));
afterAll(() => rm(root, { recursive: true, force: true }));
afterEach(() => {
  kill.at = 0;
  kill.calls = 0;
});

const me = { pid: process.pid, host: hostname() };

/** The lock's owner; undefined if there is no lock. Throws if the lock exists without a complete owner. */
async function lockOwner(directory: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(directory, LOCK_FILE), 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${LOCK_FILE} exists without a complete owner in it: ${JSON.stringify(text)}`);
  }
}

describe('file backend owner lock: a lock without an owner in it', () => {
  it.each([
    ['empty', ''],
    ['garbage', '\u0000\u0000{"pi'],
    ['JSON without a pid', '{"host":"x"}'],
    ['JSON null', 'null'],
  ])('a lock file that is %s does not block a backend from saving', async (name, content) => {
    const directory = join(root, `unreadable-${name.replace(/\W/g, '-')}`);
    const dir = pipelineDirectory(directory, 'p1');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, LOCK_FILE), content);
    const backend = fileBackend({ directory, pipelineId: 'p1' });
    await backend.save(snapshot(1));
    expect(await backend.load()).toStrictEqual(snapshot(1));
    // Taken over: the lock now names this process.
    expect(await lockOwner(dir)).toEqual(me);
  });
});

describe('file backend owner lock: created whole', () => {
  it('holds its owner as soon as it exists, and leaves no temporary file behind', async () => {
    const dir = join(root, 'whole');
    await mkdir(dir, { recursive: true });
    await acquireOwnership(dir);
    try {
      expect(await lockOwner(dir)).toEqual(me);
      expect(await readdir(dir)).toEqual([LOCK_FILE]);
    } finally {
      await releaseOwnership(dir);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('a process killed at any step of taking the lock leaves no lock or a complete one', async () => {
    let step = 0;
    for (;;) {
      step++;
      const dir = join(root, `killed-at-${step}`);
      await mkdir(dir, { recursive: true });
      kill.at = step;
      kill.calls = 0;
      let wasKilled = false;
      try {
        await acquireOwnership(dir);
      } catch (error) {
        if ((error as { killed?: unknown }).killed !== true) throw error;
        wasKilled = true;
      }
      kill.at = 0;
      // Never an empty lock: no one could read it or take it over.
      const owner = await lockOwner(dir);
      if (owner !== undefined) expect(owner).toEqual(me);
      if (!wasKilled) {
        // Every step has been killed once: acquisition is done.
        await releaseOwnership(dir);
        break;
      }
      // The restarted process takes the lock.
      await acquireOwnership(dir);
      expect(await lockOwner(dir)).toEqual(me);
      await releaseOwnership(dir);
      expect(step).toBeLessThan(10);
    }
    expect(step).toBeGreaterThan(1);
  });
});
