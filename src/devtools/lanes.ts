import { el, setAttr, setText } from './dom.js';
import { formatDuration, watermarkLag, type OperatorRow } from './levels.js';

interface Lane {
  readonly row: HTMLDivElement;
  readonly bar: HTMLDivElement;
  readonly text: HTMLSpanElement;
}

/**
 * Watermark lanes: one lane per operator against processing ("wall-clock") time. The right edge
 * of every lane is now; a bar runs back from now to the operator's output watermark, so its length
 * is the watermark lag, on one scale for all lanes (at least 10 s wide) so that lanes compare. A
 * parallel stage's subtasks each have a lane under the stage's (Flink's Web UI lists a watermark per
 * subtask): a subtask whose lane is longer holds the stage's watermark back.
 */
export class WatermarkLanes {
  readonly element = el('div', 'lanes');
  readonly #scale = el('div', 'lane-scale');
  readonly #lanes = new Map<string, Lane>();

  constructor() {
    this.element.append(this.#scale);
  }

  update(rows: readonly OperatorRow[], now: number): void {
    const lags = rows.map((r) => watermarkLag(r.metrics, now));
    // The scale: the largest finite lag, rounded up, between 10 s and 10 min; a longer lag fills its lane.
    const widest = Math.max(10_000, ...lags.filter((l): l is number => l !== null && l < 600_000).map((l) => l * 1.25));
    setText(this.#scale, `← ${formatDuration(widest)} of processing time · now →`);
    const kept = new Set<string>();
    rows.forEach((r, i) => {
      kept.add(r.metrics.id);
      const lane = this.#lanes.get(r.metrics.id) ?? this.#lane(r);
      const lag = lags[i]!;
      const width = lag === null ? 0 : Math.min(100, Math.max(0.5, (Math.max(0, lag) / widest) * 100));
      setAttr(lane.bar, 'style', `width:${width.toFixed(1)}%`);
      setAttr(
        lane.row,
        'class',
        `lane${r.subtask ? ' subtask' : ''}${lag === null ? ' none' : lag > widest ? ' off-scale' : ''}`,
      );
      setText(lane.text, lag === null ? 'no watermark' : `lag ${formatDuration(Math.max(0, lag))}`);
    });
    for (const [id, lane] of this.#lanes) {
      if (kept.has(id)) continue;
      lane.row.remove();
      this.#lanes.delete(id);
    }
  }

  #lane({ metrics: o, label }: OperatorRow): Lane {
    const row = el('div', 'lane');
    row.dataset.id = o.id;
    const track = el('div', 'lane-track');
    const bar = el('div', 'lane-bar');
    track.append(bar);
    const text = el('span', 'lane-lag');
    const name = el('span', 'lane-name', label);
    name.title = `${o.name} (${o.kind})`;
    row.append(name, track, text);
    this.element.append(row); // new lanes at the end; a stage and its subtasks join together
    const lane = { row, bar, text };
    this.#lanes.set(o.id, lane);
    return lane;
  }
}
