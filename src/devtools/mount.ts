import { InvalidOptionError } from '../core/errors.js';
import { devtoolsElement, type DevtoolsElement, type DevtoolsMetrics, type StateOwner } from './element.js';

/** Options of `mountDevtools`. */
export interface DevtoolsOptions {
  /** Where the closed panel's button floats (default 'bottom-right'); the open panel docks at the bottom. */
  position?: 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';
  /** Whether the panel starts open when no state is remembered yet (default false). */
  initialIsOpen?: boolean;
  /** The localStorage key that remembers open or closed (default 'rxflink-devtools'). */
  storageKey?: string;
  /** How often the open panel samples the metrics, in ms of the metrics' scheduler (default 500, at least 100). */
  intervalMs?: number;
  /** The element the panel is appended to (default `document.body`). */
  container?: Element;
  /** Who owns the stored state, shown in the header: pass the `IndexedDbBackend` of `rxflink/idb`. */
  stateOwner?: StateOwner;
}

/** The mounted panel. */
export interface DevtoolsHandle {
  /** The `<rxflink-devtools>` element (its content is in an open shadow root). */
  readonly element: HTMLElement;
  readonly isOpen: boolean;
  /** Opens the panel (and remembers it open): it starts sampling. */
  open(): void;
  /** Closes the panel (and remembers it closed): it stops sampling. */
  close(): void;
  /** Removes the panel and stops sampling. */
  unmount(): void;
}

const POSITIONS = ['bottom-right', 'bottom-left', 'top-right', 'top-left'];

/**
 * Mounts the rxflink devtools on the page: a floating button that opens a panel docked at the
 * bottom, in the manner of TanStack Query Devtools, showing what Flink's Web UI shows of a job (the
 * job graph coloured by backpressure, records per second, watermark lanes and lag, late records,
 * the checkpoint history, the last exceptions, and which tab owns the state). Whether it is open
 * is remembered in localStorage across reloads. Closed, it subscribes to nothing; open, it samples
 * `metrics.updates(intervalMs)` and redraws at most once per animation frame, writing only what
 * changed. The charts (uPlot) load on first open.
 *
 * @example
 * ```ts
 * const metrics = new PipelineMetrics({ job: 'clicks' });
 * const devtools = mountDevtools(metrics, { initialIsOpen: true });
 * // later
 * devtools.unmount();
 * ```
 */
export function mountDevtools(metrics: DevtoolsMetrics, options: DevtoolsOptions = {}): DevtoolsHandle {
  if (typeof metrics?.sampler !== 'function' || typeof metrics.updates !== 'function') {
    throw new InvalidOptionError('metrics', metrics, 'must be a PipelineMetrics');
  }
  const {
    position = 'bottom-right',
    initialIsOpen = false,
    storageKey = 'rxflink-devtools',
    intervalMs = 500,
  } = options;
  if (!POSITIONS.includes(position))
    throw new InvalidOptionError('position', position, `must be one of ${POSITIONS.join(', ')}`);
  if (typeof intervalMs !== 'number' || !(intervalMs >= 100) || !Number.isFinite(intervalMs)) {
    throw new InvalidOptionError('intervalMs', intervalMs, 'must be a finite number of at least 100 (ms)');
  }
  if (typeof storageKey !== 'string' || storageKey === '')
    throw new InvalidOptionError('storageKey', storageKey, 'must be a non-empty string');
  const container = options.container ?? document.body;
  const Element = devtoolsElement();
  const element: DevtoolsElement = new Element();
  element.setAttribute('data-position', position);
  container.append(element);
  element.configure({ metrics, intervalMs, storageKey, initialIsOpen, stateOwner: options.stateOwner ?? null });
  return {
    element,
    get isOpen() {
      return element.isOpen;
    },
    open: () => element.setOpen(true),
    close: () => element.setOpen(false),
    unmount: () => element.remove(),
  };
}
