// A minimal in-process Web Locks manager (exclusive mode, ifAvailable, signal, steal): Node 20 has
// no navigator.locks. Real Chromium locks are exercised by test/browser.
interface Waiter {
  grant(): void;
  abort(reason: unknown): void;
}
interface Holder {
  abort(reason: unknown): void;
}

export class FakeLockManager {
  private readonly held = new Map<string, Holder>();
  private readonly queues = new Map<string, Waiter[]>();

  request(
    name: string,
    options: LockOptions,
    callback: (lock: Lock | null) => Promise<unknown> | unknown,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(options.signal.reason);
        return;
      }
      const run = () => {
        let aborted = false;
        this.held.set(name, {
          abort: (reason) => {
            aborted = true;
            reject(reason);
          },
        });
        Promise.resolve()
          .then(() => callback({ name, mode: 'exclusive' } as Lock))
          .then(
            (v) => {
              if (!aborted) resolve(v);
            },
            (e) => {
              if (!aborted) reject(e);
            },
          )
          .finally(() => {
            if (!aborted) this.releaseAndNext(name);
          });
      };
      if (options.steal) {
        this.held.get(name)?.abort(new DOMException('The lock was stolen', 'AbortError'));
        this.held.delete(name);
        run();
        return;
      }
      if (!this.held.has(name)) {
        run();
        return;
      }
      if (options.ifAvailable) {
        Promise.resolve(callback(null)).then(resolve, reject);
        return;
      }
      const queue = this.queues.get(name) ?? [];
      const waiter: Waiter = { grant: run, abort: reject };
      queue.push(waiter);
      this.queues.set(name, queue);
      options.signal?.addEventListener('abort', () => {
        const i = queue.indexOf(waiter);
        if (i >= 0) {
          queue.splice(i, 1);
          reject(options.signal!.reason);
        }
      });
    });
  }

  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  private releaseAndNext(name: string): void {
    this.held.delete(name);
    const next = this.queues.get(name)?.shift();
    next?.grant();
  }
}
