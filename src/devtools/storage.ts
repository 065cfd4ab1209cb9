/**
 * The panel's open/closed state in localStorage, guarded: storage may be missing (a worker, a
 * sandboxed frame), throw on access (blocked cookies) or be full; the panel then simply forgets.
 */
export function readOpen(key: string, fallback: boolean): boolean {
  try {
    const value = globalThis.localStorage?.getItem(key);
    return value === 'open' ? true : value === 'closed' ? false : fallback;
  } catch {
    return fallback;
  }
}

/** Remembers the open/closed state; a storage that refuses is ignored (see `readOpen`). */
export function writeOpen(key: string, open: boolean): void {
  try {
    globalThis.localStorage?.setItem(key, open ? 'open' : 'closed');
  } catch {
    // Storage blocked or full: the state is simply not remembered.
  }
}
