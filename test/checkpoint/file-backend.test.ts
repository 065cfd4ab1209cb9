import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileBackend, pipelineDirectory } from '../../src/node/checkpoint/index.js';
import { backendContract } from './backend-contract.js';
import { snapshot } from './fixtures.js';

const root = await mkdtemp(join(tmpdir(), 'rxflink-files-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const failing = new Set<string>();

backendContract('files', {
  async open(name, options) {
    return fileBackend({
      pipelineId: 'p1',
      ...options,
      directory: join(root, name),
      hooks: {
        beforeRename() {
          if (failing.delete(name))
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        },
      },
    });
  },
  async damage(name, key, damage) {
    const file = join(pipelineDirectory(join(root, name), 'p1'), key);
    await writeFile(file, damage(new Uint8Array(await readFile(file))));
  },
  failNextWrite(name) {
    failing.add(name);
  },
});

describe('fileBackend atomicity', () => {
  const crash = () => {
    throw new Error('simulated crash');
  };

  it('keeps the previous checkpoint when the process dies between the temporary write and the rename', async () => {
    const directory = join(root, 'crash-before-rename');
    await fileBackend({ directory, pipelineId: 'p1' }).save(snapshot(1));
    // The crash hits the first rename: the snapshot's file never takes its name, the manifest is untouched.
    const crashing = fileBackend({ directory, pipelineId: 'p1', hooks: { beforeRename: crash } });
    await expect(crashing.save(snapshot(2))).rejects.toThrow(/simulated crash/);
    const restarted = fileBackend({ directory, pipelineId: 'p1' });
    expect(await restarted.load()).toStrictEqual(snapshot(1));
    expect((await restarted.list()).map((i) => i.checkpointId)).toEqual([1]);
  });

  it('keeps the previous checkpoint when the process dies after the snapshot file but before the manifest', async () => {
    const directory = join(root, 'crash-before-manifest');
    await fileBackend({ directory, pipelineId: 'p1' }).save(snapshot(1));
    let renames = 0;
    const crashing = fileBackend({
      directory,
      pipelineId: 'p1',
      hooks: {
        beforeRename(_t, target) {
          if (++renames === 3) {
            expect(target).toMatch(/manifest$/);
            crash();
          }
        },
      },
    });
    await expect(crashing.save(snapshot(2))).rejects.toThrow(/simulated crash/);
    const restarted = fileBackend({ directory, pipelineId: 'p1' });
    // snapshot-2 is on disk but not listed: invisible, and removed by the next save.
    expect((await restarted.list()).map((i) => i.checkpointId)).toEqual([1]);
    expect(await restarted.load()).toStrictEqual(snapshot(1));
    await restarted.save(snapshot(3));
    expect((await readdir(pipelineDirectory(directory, 'p1'))).sort()).toEqual([
      'commit-record',
      'manifest',
      'owner.lock',
      'snapshot-1',
      'snapshot-3',
    ]);
  });

  it('removes temporary files left by a crash on the next write', async () => {
    const directory = join(root, 'stray-temporary');
    const dir = pipelineDirectory(directory, 'p1');
    const backend = fileBackend({ directory, pipelineId: 'p1' });
    await backend.save(snapshot(1));
    await writeFile(join(dir, 'snapshot-2.tmp-abc'), 'half a snapshot');
    const restarted = fileBackend({ directory, pipelineId: 'p1' });
    expect((await restarted.list()).map((i) => i.checkpointId)).toEqual([1]);
    await restarted.save(snapshot(2));
    expect((await readdir(dir)).sort()).toEqual([
      'commit-record',
      'manifest',
      'owner.lock',
      'snapshot-1',
      'snapshot-2',
    ]);
  });

  it('gives every pipeline id its own safe directory', async () => {
    expect(pipelineDirectory('/data', '../etc')).toBe(join('/data', '%2E%2E%2Fetc'));
    expect(pipelineDirectory('/data', 'a/b c')).toBe(join('/data', 'a%2Fb%20c'));
    const directory = join(root, 'ids');
    await fileBackend({ directory, pipelineId: '../x' }).save(snapshot(1, {}, '../x'));
    expect(await readdir(directory)).toEqual(['%2E%2E%2Fx']);
  });
});

describe('fileBackend ownership', () => {
  it('lets backends of one process share the directory, and removes the lock when the last closes', async () => {
    const directory = join(root, 'shared-owner');
    const a = fileBackend({ directory, pipelineId: 'p1' });
    const b = fileBackend({ directory, pipelineId: 'p1' });
    await a.save(snapshot(1));
    await b.save(snapshot(2));
    const dir = pipelineDirectory(directory, 'p1');
    expect(JSON.parse(await readFile(join(dir, 'owner.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    await a.close();
    expect(await readdir(dir)).toContain('owner.lock');
    await b.close();
    expect(await readdir(dir)).not.toContain('owner.lock');
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const directory = join(root, 'stale-owner');
    const dir = pipelineDirectory(directory, 'p1');
    await fileBackend({ directory, pipelineId: 'p1', exclusive: false }).save(snapshot(1));
    // A pid far above any pid_max: no such process.
    await writeFile(
      join(dir, 'owner.lock'),
      JSON.stringify({ pid: 2 ** 30, host: (await import('node:os')).hostname() }),
    );
    const backend = fileBackend({ directory, pipelineId: 'p1' });
    await backend.save(snapshot(2));
    expect(JSON.parse(await readFile(join(dir, 'owner.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    await backend.close();
  });
});
