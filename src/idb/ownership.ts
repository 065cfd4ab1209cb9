/**
 * Tab ownership through the Web Locks API: one exclusive lock per pipeline, named
 * `rxflink:pipeline:<id>`, held for as long as a backend that writes is open. The browser releases it
 * when the tab closes or navigates away (a reload included), so a crashed tab never blocks the next.
 */

import { StorageError } from '../checkpoint/errors.js';

/**
 * What a tab does when another one owns the pipeline:
 * - `wait`: wait until the other tab releases it (calls `onWait` first, so the page can say so);
 * - `read-only`: open at once, read-only (loads work, saves are refused with `not-owner`);
 * - `fail`: reject with a `StorageError` whose `failure` is `not-owner`.
 */
export type OwnershipMode = 'wait' | 'read-only' | 'fail';

/** A held lock. `lost` resolves (with a reason) if another tab steals it. */
export interface HeldLock {
  release(): void;
  readonly lost: Promise<string>;
}

/**
 * The Web Lock that marks the tab owning a pipeline's stored state.
 *
 * @example
 * const state = await navigator.locks.query();
 * const owned = state.held?.some((l) => l.name === lockName('clicks')); // another tab runs it
 */
export function lockName(pipelineId: string): string {
  return `rxflink:pipeline:${pipelineId}`;
}

/** Tries to take the lock at once. Resolves undefined when another tab holds it. */
export function tryAcquire(locks: LockManager, name: string): Promise<HeldLock | undefined> {
  return acquire(locks, name, { ifAvailable: true });
}

/** Waits for the lock. Rejects with the signal's reason when aborted. */
export async function acquireWaiting(locks: LockManager, name: string, signal?: AbortSignal): Promise<HeldLock> {
  const held = await acquire(locks, name, signal === undefined ? {} : { signal });
  if (held === undefined) throw new Error('internal: a waiting lock request was not granted');
  return held;
}

function acquire(locks: LockManager, name: string, options: LockOptions): Promise<HeldLock | undefined> {
  return new Promise<HeldLock | undefined>((resolve, reject) => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let reportLost!: (reason: string) => void;
    const lost = new Promise<string>((r) => (reportLost = r));
    let granted = false;
    locks
      .request(name, { mode: 'exclusive', ...options }, async (lock) => {
        if (lock === null) {
          resolve(undefined);
          return;
        }
        granted = true;
        resolve({ release, lost });
        await released;
      })
      .catch((error: unknown) => {
        // Before the grant: the wait was aborted or the request refused. After: the lock was stolen
        // (another tab requested it with steal: true).
        if (!granted) reject(error);
        else reportLost(`another tab took the lock ${name}`);
      });
  });
}

export function notOwnerError(pipelineId: string): StorageError {
  return new StorageError(
    'not-owner',
    { pipelineId, backend: 'indexeddb' },
    'another tab owns this pipeline\'s stored state (Web Lock held); open with ownership "wait" or "read-only"',
  );
}
