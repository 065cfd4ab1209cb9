import type { CheckpointMetrics, ExceptionRecord } from '../core/metrics/types.js';
import { el, setAttr, setText } from './dom.js';
import {
  backpressureLevel,
  formatBytes,
  formatClock,
  formatCount,
  formatDuration,
  formatWatermark,
  type OperatorRow,
  vertexBackpressure,
} from './levels.js';

/**
 * A table whose rows are keyed: a row is created when its key first appears, removed when it goes,
 * and otherwise only its changed cells are written. `cells` returns the texts of a row's cells.
 */
export class KeyedTable<T> {
  readonly element: HTMLTableElement;
  readonly #body: HTMLTableSectionElement;
  readonly #rows = new Map<string, HTMLTableRowElement>();

  constructor(
    className: string,
    headers: readonly string[],
    readonly key: (item: T) => string,
    readonly cells: (item: T) => readonly string[],
    readonly rowClass: (item: T) => string = () => '',
  ) {
    this.element = el('table', className);
    const head = el('tr');
    for (const h of headers) head.append(el('th', '', h));
    this.element.createTHead().append(head);
    this.#body = this.element.createTBody();
  }

  update(items: readonly T[]): void {
    const keys = new Set<string>();
    let previous: HTMLTableRowElement | null = null;
    for (const item of items) {
      const key = this.key(item);
      keys.add(key);
      let row = this.#rows.get(key);
      const texts = this.cells(item);
      if (row === undefined) {
        row = el('tr');
        row.dataset.key = key;
        for (let i = 0; i < texts.length; i++) row.append(el('td'));
        this.#rows.set(key, row);
      }
      // Keep the items' order with the fewest moves: only a row out of place is moved.
      const expected: Element | null = previous === null ? this.#body.firstElementChild : previous.nextElementSibling;
      if (expected !== row) this.#body.insertBefore(row, expected);
      previous = row;
      setAttr(row, 'class', this.rowClass(item));
      texts.forEach((text, i) => {
        setText(row.cells[i]!, text);
      });
    }
    for (const [key, row] of this.#rows) {
      if (keys.has(key)) continue;
      row.remove();
      this.#rows.delete(key);
    }
  }
}

const pct = (msPerSecond: number) => `${Math.round(msPerSecond / 10)}%`;

/**
 * Per operator: backpressure level, rates, totals, busy time, late counters, watermark and state; a
 * parallel stage's subtasks in rows of their own under it (`operatorRows`).
 */
export function operatorTable(): KeyedTable<OperatorRow> {
  return new KeyedTable<OperatorRow>(
    'operators',
    [
      'Operator',
      'Backpressure',
      'In/s',
      'Out/s',
      'In',
      'Out',
      'Busy',
      'Late dropped',
      'Late → side',
      'Watermark',
      'State',
    ],
    ({ metrics: o }) => o.id,
    ({ metrics: o, label }) => [
      label,
      o.status === 'finished'
        ? 'FINISHED'
        : `${backpressureLevel(vertexBackpressure(o))} ${pct(vertexBackpressure(o))}`,
      formatCount(Math.round(o.numRecordsInPerSecond)),
      formatCount(Math.round(o.numRecordsOutPerSecond)),
      formatCount(o.numRecordsIn),
      formatCount(o.numRecordsOut),
      pct(o.busyTimeMsPerSecond),
      formatCount(o.numLateRecordsDropped),
      formatCount(o.numLateRecordsToSideOutput),
      formatWatermark(o),
      o.state === null
        ? '–'
        : `${formatCount(o.state.keys)} keys · ${formatCount(o.state.windows)} win · ${formatBytes(o.state.approximateBytes)}`,
    ],
    ({ metrics: o, subtask }) =>
      `${o.status === 'finished' ? 'finished' : backpressureLevel(vertexBackpressure(o)).toLowerCase()}${o.numLateRecordsDropped > 0 ? ' late' : ''}${subtask ? ' subtask' : ''}`,
  );
}

/** Flink's checkpoint history: the last 10, newest first. */
export function checkpointTable(): KeyedTable<CheckpointMetrics> {
  return new KeyedTable<CheckpointMetrics>(
    'checkpoints',
    ['ID', 'Status', 'Triggered', 'Duration', 'Alignment', 'Write', 'Size', 'Type'],
    (c) => String(c.id),
    (c) => [
      String(c.id),
      c.status === 'in_progress' ? 'in progress' : c.failure === null ? c.status : `${c.status}: ${c.failure}`,
      formatClock(c.triggerTime),
      formatDuration(c.durationMs),
      formatDuration(c.alignmentMs),
      formatDuration(c.backendWriteMs),
      formatBytes(c.bytes),
      c.status === 'in_progress' ? c.kind : `${c.kind} · ${c.incremental ? 'incremental' : 'full'}`, // known once stored
    ],
    (c) => c.status.replace('_', '-'),
  );
}

/** The last exceptions, newest first, with the operator they came from. */
export function exceptionTable(): KeyedTable<ExceptionRecord> {
  return new KeyedTable<ExceptionRecord>(
    'exceptions',
    ['Time', 'Operator', 'Exception'],
    (e) => `${e.time}|${e.operator}|${e.name}|${e.message}`,
    (e) => [formatClock(e.time), e.operator ?? '(outside operators)', `${e.name}: ${e.message}`],
  );
}
