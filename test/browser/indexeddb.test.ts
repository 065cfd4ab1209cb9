// The IndexedDB backend in real Chromium (no fake-indexeddb): checkpoints survive a page reload,
// retention holds, Web Locks give one tab ownership, a closed or reloaded tab releases it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeValue } from '../../src/checkpoint/index.js';
import { reload, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ entry: 'test/browser/entries/idb-entry.ts' });
});
afterAll(async () => {
  await h?.close();
});

describe('IndexedDB backend in Chromium', () => {
  it('saves checkpoints, keeps the newest 3 and the savepoints, and loads the latest after a reload', async () => {
    const page = await h.newPage();
    expect(await page.evaluate(() => window.__rx.open('a', 'reload', 'fail'))).toMatchObject({
      ok: true,
      value: { ownership: 'owner', databaseName: 'rxflink:reload' },
    });
    for (const id of [1, 2, 3])
      expect(await page.evaluate((id) => window.__rx.save('a', id), id)).toMatchObject({ ok: true });
    expect(await page.evaluate(() => window.__rx.save('a', 4, 10, 'savepoint'))).toMatchObject({ ok: true });
    for (const id of [5, 6])
      expect(await page.evaluate((id) => window.__rx.save('a', id), id)).toMatchObject({ ok: true });
    expect(await page.evaluate(() => window.__rx.list('a'))).toEqual({
      ok: true,
      value: ['checkpoint:3', 'savepoint:4', 'checkpoint:5', 'checkpoint:6'],
    });

    await reload(page);
    // The reload released the lock: opening with 'fail' succeeds at once.
    expect(await page.evaluate(() => window.__rx.open('b', 'reload', 'fail'))).toMatchObject({
      ok: true,
      value: { ownership: 'owner' },
    });
    const loaded = await page.evaluate(() => window.__rx.load('b'));
    const expected = await page.evaluate(() => window.__rx.expected('reload', 6));
    if (!loaded.ok) throw new Error(loaded.message);
    const snapshot = decodeValue(loaded.value, true) as {
      checkpointId: number;
      operators: { counts: { state: { special: unknown[] } } };
    };
    expect(snapshot).toStrictEqual(decodeValue(expected, true));
    expect(snapshot.operators.counts.state.special).toStrictEqual([NaN, -0, Infinity, -Infinity, 2n ** 70n, undefined]);
    expect(await page.evaluate(() => window.__rx.list('b'))).toEqual({
      ok: true,
      value: ['checkpoint:3', 'savepoint:4', 'checkpoint:5', 'checkpoint:6'],
    });
    await page.close();
  });

  it('lets one tab own a pipeline: another opens read-only, fails, or waits until the owner tab closes', async () => {
    const owner = await h.newPage();
    const other = await h.newPage();
    const third = await h.newPage();
    expect(await owner.evaluate(() => window.__rx.open('o', 'tabs', 'wait'))).toMatchObject({
      ok: true,
      value: { ownership: 'owner' },
    });
    expect(await owner.evaluate(() => window.__rx.save('o', 1))).toMatchObject({ ok: true });

    const readOnly = await other.evaluate(() => window.__rx.open('r', 'tabs', 'read-only'));
    expect(readOnly).toMatchObject({ ok: true, value: { ownership: 'read-only' } });
    expect(JSON.stringify(readOnly)).toMatch(/another tab owns/);
    expect(await other.evaluate(() => window.__rx.save('r', 2))).toMatchObject({
      ok: false,
      failure: 'not-owner',
      code: 'STORAGE_NOT_OWNER',
    });
    expect(await other.evaluate(() => window.__rx.open('f', 'tabs', 'fail'))).toMatchObject({
      ok: false,
      failure: 'not-owner',
      name: 'StorageError',
    });

    // The third tab waits, and says so; it gets ownership when the owner's tab is closed.
    const waiting = third.evaluate(() => window.__rx.open('w', 'tabs', 'wait'));
    await third.waitForFunction(() => window.__rx.events.length > 0);
    expect(await third.evaluate(() => window.__rx.events)).toEqual(['w: waiting for another tab']);
    await owner.close();
    expect(await waiting).toMatchObject({ ok: true, value: { ownership: 'owner' } });
    expect(await third.evaluate(() => window.__rx.save('w', 2))).toMatchObject({ ok: true });
    // The read-only tab sees what the new owner wrote, and still may not write.
    const latest = await other.evaluate(() => window.__rx.load('r'));
    expect(latest.ok && (decodeValue(latest.value, true) as { checkpointId: number }).checkpointId).toBe(2);
    expect(await other.evaluate(() => window.__rx.save('r', 3))).toMatchObject({ ok: false, failure: 'not-owner' });
    await other.close();
    await third.close();
  });

  it('refuses a damaged entry and falls back to the previous checkpoint', async () => {
    const page = await h.newPage();
    expect(await page.evaluate(() => window.__rx.open('d', 'damaged', 'fail'))).toMatchObject({ ok: true });
    for (const id of [1, 2])
      expect(await page.evaluate((id) => window.__rx.save('d', id), id)).toMatchObject({ ok: true });
    // Damage checkpoint 2 behind the backend's back, with plain IndexedDB calls.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('rxflink:damaged');
          open.onsuccess = () => {
            const store = open.result.transaction('snapshots', 'readwrite').objectStore('snapshots');
            const get = store.get('snapshot-2');
            get.onsuccess = () => {
              const bytes = (get.result as Uint8Array).slice(0, 50);
              store.put(bytes, 'snapshot-2').onsuccess = () => {
                open.result.close();
                resolve();
              };
            };
          };
          open.onerror = () => reject(open.error);
        }),
    );
    expect(await page.evaluate(() => window.__rx.load('d', 2))).toMatchObject({ ok: false, code: 'SNAPSHOT_CORRUPT' });
    const latest = await page.evaluate(() => window.__rx.load('d'));
    expect(latest.ok && (decodeValue(latest.value, true) as { checkpointId: number }).checkpointId).toBe(1);
    await page.close();
  });
});

describe('IndexedDB backend in Chromium at the limits', () => {
  it('reports a real quota exceeded as a typed error and keeps the last good checkpoint', async () => {
    const context = await h.newContext(); // its own profile, so the quota override stays here
    const page = await h.newPage(context);
    // Chromium's own quota machinery, shrunk through the DevTools protocol to 2 MB for this origin
    // (Chromium reads the quota when the database is opened).
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(h.url).origin, quotaSize: 2_000_000 });
    expect(await page.evaluate(() => window.__rx.open('q', 'quota', 'fail'))).toMatchObject({ ok: true });
    expect(await page.evaluate(() => window.__rx.save('q', 1, 100))).toMatchObject({ ok: true });
    const failed = await page.evaluate(() => window.__rx.save('q', 2, 300_000));
    expect(failed).toMatchObject({
      ok: false,
      name: 'StorageError',
      failure: 'quota-exceeded',
      code: 'STORAGE_QUOTA_EXCEEDED',
    });
    expect(await page.evaluate(() => window.__rx.list('q'))).toEqual({ ok: true, value: ['checkpoint:1'] });
    const loaded = await page.evaluate(() => window.__rx.load('q'));
    const expected = await page.evaluate(() => window.__rx.expected('quota', 1, 100));
    expect(loaded.ok && decodeValue(loaded.value, true)).toStrictEqual(decodeValue(expected, true));
    // A smaller checkpoint still fits: the failed one left nothing behind that uses the quota.
    expect(await page.evaluate(() => window.__rx.save('q', 2, 1000))).toMatchObject({ ok: true });
    expect(await page.evaluate(() => window.__rx.list('q'))).toEqual({
      ok: true,
      value: ['checkpoint:1', 'checkpoint:2'],
    });
    await context.close();
  });

  it('reports "closed" when another tab deletes the database, instead of blocking that tab', async () => {
    const owner = await h.newPage();
    const other = await h.newPage();
    expect(await owner.evaluate(() => window.__rx.open('c', 'closed', 'fail'))).toMatchObject({ ok: true });
    expect(await owner.evaluate(() => window.__rx.save('c', 1))).toMatchObject({ ok: true });
    // The other tab's deletion succeeds (our connection lets go on versionchange) instead of hanging.
    const deleted = await other.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const request = indexedDB.deleteDatabase('rxflink:closed');
          request.onsuccess = () => resolve('deleted');
          request.onblocked = () => resolve('blocked');
          request.onerror = () => resolve(`error ${String(request.error)}`);
        }),
    );
    expect(deleted).toBe('deleted');
    expect(await owner.evaluate(() => window.__rx.save('c', 2))).toMatchObject({
      ok: false,
      failure: 'closed',
      code: 'STORAGE_CLOSED',
    });
    await owner.close();
    await other.close();
  });

  it('reports "blocked" when opening waits behind another tab that does not let go', async () => {
    const holder = await h.newPage();
    const deleter = await h.newPage();
    const opener = await h.newPage();
    // A tab holds a raw connection and ignores versionchange; another asks to delete the database,
    // which stays blocked; our open is queued behind the deletion.
    await holder.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const request = indexedDB.open('rxflink:blocked');
          request.onupgradeneeded = () => request.result.createObjectStore('snapshots');
          request.onsuccess = () => {
            (window as unknown as { held: IDBDatabase }).held = request.result;
            resolve();
          };
        }),
    );
    // Wait until the deletion is blocked: the delete request comes from another renderer, so without
    // this the open below could reach the browser's IndexedDB first and succeed (a race seen in CI).
    await deleter.evaluate(
      () =>
        new Promise<void>((resolve) => {
          indexedDB.deleteDatabase('rxflink:blocked').onblocked = () => resolve();
        }),
    );
    const result = await opener.evaluate(() => window.__rx.open('b', 'blocked', 'fail', 3, 500));
    expect(result).toMatchObject({ ok: false, name: 'StorageError', failure: 'blocked', code: 'STORAGE_BLOCKED' });
    await holder.close();
    await deleter.close();
    await opener.close();
  });

  it('reports IndexedDB or Web Locks unavailable (opaque origin, like a sandboxed frame) as a typed error', async () => {
    const page = await h.newPage();
    // A sandboxed iframe without allow-same-origin has an opaque origin: no IndexedDB, no locks.
    const result = await page.evaluate(async () => {
      const frame = document.createElement('iframe');
      frame.setAttribute('sandbox', 'allow-scripts');
      frame.srcdoc = `<script type="module">
        import('${new URL('app.js', location.href).href}').then(
          () => window.__rx.open('x', 'opaque', 'fail'),
        ).then((r) => parent.postMessage(r, '*'), (e) => parent.postMessage({ ok: false, message: String(e) }, '*'));
      </script>`;
      const message = new Promise((resolve) => addEventListener('message', (e) => resolve(e.data), { once: true }));
      document.body.append(frame);
      return message;
    });
    expect(result).toMatchObject({
      ok: false,
      name: 'StorageError',
      failure: 'unavailable',
      code: 'STORAGE_UNAVAILABLE',
    });
    await page.close();
  });
});
