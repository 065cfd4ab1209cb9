/**
 * Page exit (docs/telemetry.md, "Page exit"): when the page goes hidden, the last moment a browser
 * promises to run script (it may then be frozen, put in the back/forward cache, or discarded), send
 * what must leave with `sendBeacon` or a keepalive `fetch`, keep what does not fit in the IndexedDB
 * outbox, and take a checkpoint. The pipeline itself is left running: no end of input, so the
 * watermark never jumps to +∞ and no window fires as if the stream had ended, because the page may
 * come back (bfcache, or simply the tab shown again) and go on.
 */
import { InvalidOptionError } from '../core/errors.js';
import { positiveInteger } from '../core/options.js';
import { exitBodies } from './exit-bodies.js';
import { Outbox, type OutboxSend } from './outbox.js';

/** How a body leaves: `sendBeacon`, a keepalive `fetch`, or your function (true: the browser took it). */
export type ExitTransport = 'beacon' | 'keepalive' | ((url: string, body: string) => boolean);

/** The part of `document` page exit listens to (a fake in tests). */
export interface VisibilitySource {
  readonly visibilityState: DocumentVisibilityState;
  /** Adds the listener page exit runs on every visibility change. */
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  /** Removes it (`close()`). */
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

/** What page exit needs of a pipeline's checkpointing (a `Checkpointing` has it). */
export interface ExitCheckpoints {
  /** Takes a checkpoint now; resolves once it is stored. */
  checkpoint(): Promise<unknown>;
}

/** Options of `watchPageExit`. */
export interface PageExitOptions {
  /** The pipeline: names its outbox database. */
  readonly pipelineId: string;
  /** Where bodies are sent (POST, JSON). */
  readonly url: string;
  /** What must leave now, e.g. the window results not yet delivered. Called once per exit. */
  readonly pending?: () => readonly unknown[];
  /**
   * Open windows fired early, as early panes: sent in bodies marked `"early": true`, so the
   * receiver can tell them from final results (a window's final result may follow when the page
   * comes back). `earlyPanes(...)` builds it from a window operator's queryable view: window
   * results whose `pane.timing` is `EARLY`.
   */
  readonly earlyPanes?: () => readonly unknown[];
  /** The pipeline's checkpointing: a checkpoint is taken on every exit while this tab owns the state. */
  readonly checkpoints?: ExitCheckpoints;
  /** Whether this tab owns the pipeline's state (e.g. `() => backend.ownership`). Default: owner. */
  readonly ownership?: () => 'owner' | 'read-only';
  /** How bodies leave on exit. Default 'beacon'. */
  readonly transport?: ExitTransport;
  /** Most bytes per body. Default 60 KiB, under the 64 KiB keepalive limit. */
  readonly maxBodyBytes?: number;
  /** Most bytes sent in one exit (keepalive requests share one 64 KiB quota). Default 64 KiB; the rest goes to the outbox. */
  readonly maxExitBytes?: number;
  /** How the owner sends the outbox on the next start. Default: `fetch(url, { method: 'POST' })`, true when `ok`. */
  readonly drainSend?: OutboxSend;
  /** The page. Default `document`. */
  readonly document?: VisibilitySource;
  /** The IndexedDB factory of the outbox. Default `globalThis.indexedDB`. */
  readonly indexedDB?: IDBFactory;
  /** The clock of outbox entries. Default `Date.now` (an app's clock, not an operator's). */
  readonly now?: () => number;
  /** Called after each exit's sends, with what happened (and after its checkpoint, if one was taken). */
  readonly onExit?: (report: PageExitReport) => void;
}

/** What one page exit did. */
export interface PageExitReport {
  /** Bodies the browser accepted, and their items. */
  readonly sent: number;
  readonly sentItems: number;
  /** Bodies kept in the outbox (over the exit's byte budget, refused by the browser, or too large). */
  readonly queued: number;
  /** Whether a checkpoint was taken (only by the tab that owns the state), or why not. */
  readonly checkpoint: 'taken' | 'not-owner' | 'none' | { readonly failed: string };
  /** Set when `earlyPanes()` threw: its error (the pending results were sent all the same). */
  readonly earlyPanesFailed?: string;
}

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** A watched page: drain the outbox on start, stop watching on teardown. */
export interface PageExit {
  /** Sends the outbox if this tab owns the pipeline; resolves the number of bodies sent (0 if not owner). */
  drainOutbox(): Promise<number>;
  /** Runs the exit now, as if the page went hidden (the listener calls it). */
  exit(): Promise<PageExitReport>;
  /** Stops listening and closes the outbox. */
  close(): Promise<void>;
  /** The outbox, to inspect it. */
  readonly outbox: Outbox;
}

const KIB = 1024;

/**
 * Watches the page for exit (`visibilitychange` to hidden) and, each time, sends `pending()` and
 * `earlyPanes()` in bodies under the keepalive limit, queues what does not fit in an IndexedDB
 * outbox, and checkpoints the pipeline if this tab owns it. Never ends the pipeline: a hidden page may
 * come back. Call `drainOutbox()` once the tab owns the pipeline (after `openIndexedDbBackend`).
 *
 * @example
 * ```ts
 * const unsent: unknown[] = []; // results the app has not sent yet
 * const backend = await openIndexedDbBackend({ pipelineId: 'telemetry' });
 * const checkpoints = await startCheckpointing({ backend, interval: 5_000 });
 * const exit = watchPageExit({
 *   pipelineId: 'telemetry', url: '/collect', checkpoints, ownership: () => backend.ownership,
 *   pending: () => unsent.splice(0),
 * });
 * await exit.drainOutbox(); // what an earlier page could not send
 * ```
 */
export function watchPageExit(options: PageExitOptions): PageExit {
  const settings = checkOptions(options);
  const { url, transport } = settings;
  const page = options.document ?? (globalThis as { document?: VisibilitySource }).document;
  if (page === undefined)
    throw new InvalidOptionError('document', page, 'is required outside a page (pass the page or a fake)');
  const outbox = new Outbox(options.pipelineId, options.indexedDB);
  void outbox.warm();
  const now = options.now ?? Date.now;
  const owner = (): boolean => (options.ownership?.() ?? 'owner') === 'owner';

  const exit = async (): Promise<PageExitReport> => {
    // Everything up to the sends runs synchronously: the page may be frozen at the first await.
    const bodies = exitBodies(options.pending?.() ?? [], false, settings.maxBodyBytes);
    // Early panes are computed from the open windows: if that fails, the pending results
    // (already taken from the app) still leave, and the report says why no early pane did.
    let earlyPanesFailed: string | undefined;
    try {
      bodies.push(...exitBodies(options.earlyPanes?.() ?? [], true, settings.maxBodyBytes));
    } catch (error) {
      earlyPanesFailed = describeError(error);
    }
    let budget = settings.maxExitBytes;
    let sent = 0;
    let sentItems = 0;
    const queued: string[] = [];
    for (const body of bodies) {
      const fits = body.bytes <= settings.maxBodyBytes && body.bytes <= budget;
      if (fits && send(transport, url, body.json)) {
        budget -= body.bytes;
        sent++;
        sentItems += body.items;
      } else queued.push(body.json);
    }
    const outboxWrite = queued.length > 0 ? outbox.add(queued, now()) : Promise.resolve();
    let checkpoint: PageExitReport['checkpoint'] = 'none';
    if (options.checkpoints !== undefined) {
      if (!owner()) checkpoint = 'not-owner';
      else {
        checkpoint = await options.checkpoints.checkpoint().then(
          () => 'taken' as const,
          (error: unknown) => ({ failed: describeError(error) }),
        );
      }
    }
    await outboxWrite;
    const report: PageExitReport = {
      sent,
      sentItems,
      queued: queued.length,
      checkpoint,
      ...(earlyPanesFailed === undefined ? {} : { earlyPanesFailed }),
    };
    options.onExit?.(report);
    return report;
  };
  const listener = (): void => {
    if (page.visibilityState === 'hidden') void exit().catch(() => undefined);
  };
  page.addEventListener('visibilitychange', listener);
  const drainSend: OutboxSend =
    options.drainSend ??
    (async (body) => (await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).ok);

  return {
    outbox,
    exit,
    drainOutbox: () => (owner() ? outbox.drain(drainSend) : Promise.resolve(0)),
    async close() {
      page.removeEventListener('visibilitychange', listener);
      await outbox.close();
    },
  };
}

function send(transport: ExitTransport, url: string, body: string): boolean {
  try {
    if (typeof transport === 'function') return transport(url, body);
    // A string body goes as text/plain, a CORS-safelisted type: no preflight, so a collector on
    // another origin gets it too (a JSON content type would need one, which a beacon cannot make).
    if (transport === 'beacon') return navigator.sendBeacon(url, body);
    // A keepalive fetch cannot be awaited on exit; the browser refuses it at once (a rejection, not
    // a throw) only over the quota, which the byte budget already keeps it under.
    void fetch(url, { method: 'POST', body, keepalive: true, mode: 'no-cors' }).catch(() => undefined);
    return true;
  } catch {
    return false;
  }
}

function checkOptions(options: PageExitOptions) {
  if (typeof options.pipelineId !== 'string' || options.pipelineId.length === 0) {
    throw new InvalidOptionError('pipelineId', options.pipelineId, 'must be a non-empty string');
  }
  if (typeof options.url !== 'string' || options.url.length === 0)
    throw new InvalidOptionError('url', options.url, 'must be the URL bodies are sent to');
  const transport = options.transport ?? 'beacon';
  if (transport !== 'beacon' && transport !== 'keepalive' && typeof transport !== 'function') {
    throw new InvalidOptionError(
      'transport',
      transport,
      "must be 'beacon', 'keepalive' or a function (url, body) => boolean",
    );
  }
  const maxBodyBytes = positiveInteger('maxBodyBytes', options.maxBodyBytes ?? 60 * KIB, 'bytes');
  if (maxBodyBytes >= 64 * KIB)
    throw new InvalidOptionError(
      'maxBodyBytes',
      maxBodyBytes,
      'must be under 65536: browsers refuse keepalive bodies of 64 KiB and more',
    );
  const maxExitBytes = positiveInteger('maxExitBytes', options.maxExitBytes ?? 64 * KIB, 'bytes');
  for (const name of ['pending', 'earlyPanes', 'ownership', 'drainSend', 'onExit', 'now'] as const) {
    const fn = options[name];
    if (fn !== undefined && typeof fn !== 'function') throw new InvalidOptionError(name, fn, 'must be a function');
  }
  return { url: options.url, transport, maxBodyBytes, maxExitBytes };
}
