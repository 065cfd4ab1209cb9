/**
 * One writing process per pipeline directory: the file backend's counterpart of the browser's Web
 * Lock. The first write creates `owner.lock` (exclusive create) holding the process id and host; a
 * process that finds a lock of another live process on this host is refused ('not-owner'), and a
 * lock left by a process that died (SIGKILL, crash, exit without close) is taken over. Backends of
 * one process share the lock. It is advisory: it protects against a second instance of the same
 * program, not against a process that writes the files by other means.
 */

import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
    if (await createLock(path, me)) {
      held.set(directory, 1);
      return;
    }
    const owner = await readLock(path);
    if (owner === undefined) continue; // Removed meanwhile: try again.
    if (owner !== UNREADABLE) {
      if (owner.pid === me.pid && owner.host === me.host) {
        held.set(directory, 1); // Left by this process (a store closed without releasing).
        return;
      }
      if (owner.host !== me.host || isAlive(owner.pid)) {
        throw new NotOwnerFailure(
          `process ${owner.pid} on ${owner.host} owns this pipeline's directory (${path}); if it is no longer running, delete that file`,
        );
      }
    }
    // A dead owner, or a lock without an owner in it (locks appear whole, so no one is writing it:
    // a damaged file, or one an exclusive create left empty when its process was killed): move it
    // away (only one contender's rename succeeds) and try again.
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
  if (owner !== undefined && owner !== UNREADABLE && owner.pid === process.pid && owner.host === hostname())
    await rm(path, { force: true });
}

/**
 * Creates the lock file whole, or returns false if it exists. It is written under a temporary name
 * and linked into place (`link` fails if the lock exists), so a process killed at any point leaves no
 * lock or a complete one, never an empty lock that no one could read or take over. The temporary
 * name has the store's `.tmp-` mark: a kill before the `rm` leaves it for the store's sweep.
 */
async function createLock(path: string, me: LockInfo): Promise<boolean> {
  const temporary = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  await writeFile(temporary, JSON.stringify(me));
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // ENOENT: the owner's sweep of temporary files took ours; the lock is there, or will be read as gone.
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

const UNREADABLE = Symbol('unreadable lock');

/** The lock's owner; undefined if there is no lock (or it cannot be read), UNREADABLE if it names no owner. */
async function readLock(path: string): Promise<LockInfo | typeof UNREADABLE | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const info = JSON.parse(text) as Partial<LockInfo> | null;
    if (typeof info?.pid !== 'number' || typeof info.host !== 'string') return UNREADABLE;
    return { pid: info.pid, host: info.host };
  } catch {
    return UNREADABLE;
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
