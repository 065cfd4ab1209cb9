/**
 * One writing process per pipeline directory: the file backend's counterpart of the browser's Web
 * Lock. The first write creates `owner.lock` (exclusive create) holding the process id and host; a
 * process that finds a lock of another live process on this host is refused ('not-owner'), and a
 * lock left by a process that died (SIGKILL, crash, exit without close) is taken over. Backends of
 * one process share the lock. It is advisory: it protects against a second instance of the same
 * program, not against a process that writes the files by other means.
 */

import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'owner.lock';

/** Thrown when another live process owns the directory; classified as 'not-owner'. */
export class NotOwnerFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotOwnerFailure';
  }
}

interface LockInfo {
  readonly pid: number;
  readonly host: string;
}

/** Directories whose lock this process holds, with how many open stores use it. */
const held = new Map<string, number>();

/** Takes (or joins, within this process) the ownership of `directory`. */
export async function acquireOwnership(directory: string): Promise<void> {
  const current = held.get(directory);
  if (current !== undefined) {
    held.set(directory, current + 1);
    return;
  }
  const path = join(directory, LOCK_FILE);
  const me: LockInfo = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await writeFile(path, JSON.stringify(me), { flag: 'wx' });
      held.set(directory, 1);
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    }
    const owner = await readLock(path);
    if (owner === undefined) continue; // Removed meanwhile, or being written: try again.
    if (owner.pid === me.pid && owner.host === me.host) {
      held.set(directory, 1); // Left by this process (a store closed without releasing).
      return;
    }
    if (owner.host !== me.host || isAlive(owner.pid)) {
      throw new NotOwnerFailure(
        `process ${owner.pid} on ${owner.host} owns this pipeline's directory (${path}); if it is no longer running, delete that file`,
      );
    }
    // A dead owner: move its lock away (only one contender's rename succeeds) and try again.
    const stale = `${path}.stale-${randomBytes(6).toString('hex')}`;
    try {
      await rename(path, stale);
      await rm(stale, { force: true });
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    }
  }
  throw new NotOwnerFailure(`could not take ownership of ${path}: other processes keep taking it`);
}

/** Leaves the ownership; the last store of this process to leave removes the lock file. */
export async function releaseOwnership(directory: string): Promise<void> {
  const count = held.get(directory);
  if (count === undefined) return;
  if (count > 1) {
    held.set(directory, count - 1);
    return;
  }
  held.delete(directory);
  const path = join(directory, LOCK_FILE);
  const owner = await readLock(path);
  if (owner?.pid === process.pid && owner.host === hostname()) await rm(path, { force: true });
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    if (typeof info.pid !== 'number' || typeof info.host !== 'string') return undefined;
    return { pid: info.pid, host: info.host };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}
