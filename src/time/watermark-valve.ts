import { ACTIVE, IDLE, MIN_WATERMARK, type StreamElement } from '../core/elements.js';
import { positiveInteger } from '../core/options.js';

interface Channel {
  watermark: number;
  idle: boolean;
  /** Whether this channel takes part in the minimum (Flink: "watermark aligned"). */
  aligned: boolean;
}

/**
 * Combines the watermarks and idleness of several inputs into one, as Flink's StatusWatermarkValve:
 * the output watermark is the minimum over the active inputs, forwarded only when it increases; an
 * idle input does not hold it back; when every input is idle, the output is idle too. An input that
 * becomes active again rejoins the minimum once its watermark has caught up with the output's.
 *
 * Plain TypeScript for the engine; `mergeTimed` is its RxJS face.
 *
 * @example
 * ```ts
 * const valve = new WatermarkValve(2);
 * const out: StreamElement<unknown, unknown>[] = [];
 * valve.inputWatermark(0, 10, out); // nothing: input 1 has no watermark yet
 * valve.inputWatermark(1, 20, out); // out: [watermark(10)]
 * valve.inputStatus(0, true, out);  // input 0 idle: out gets watermark(20)
 * ```
 */
export class WatermarkValve {
  readonly #channels: Channel[];
  #lastOutputWatermark = MIN_WATERMARK;
  #outputIdle = false;

  constructor(inputs: number) {
    positiveInteger('inputs', inputs);
    this.#channels = Array.from({ length: inputs }, () => ({ watermark: MIN_WATERMARK, idle: false, aligned: true }));
  }

  /** The last watermark the valve forwarded. */
  get outputWatermark(): number {
    return this.#lastOutputWatermark;
  }

  /** Whether the output is idle (every input is idle). */
  get outputIdle(): boolean {
    return this.#outputIdle;
  }

  /** A watermark arrived on input `index`; what the output must emit is pushed onto `out`. */
  inputWatermark(index: number, watermark: number, out: StreamElement<unknown, unknown>[]): void {
    const channel = this.#channels[index]!;
    // Flink ignores watermarks of an idle channel, and of any channel while the output is idle.
    if (channel.idle || this.#outputIdle || watermark <= channel.watermark) return;
    channel.watermark = watermark;
    if (!channel.aligned && watermark >= this.#lastOutputWatermark) channel.aligned = true;
    this.#emitNewMinimum(out);
  }

  /** Input `index` became idle (`idle`) or active again. */
  inputStatus(index: number, idle: boolean, out: StreamElement<unknown, unknown>[]): void {
    const channel = this.#channels[index]!;
    if (channel.idle === idle) return;
    channel.idle = idle;
    if (idle) {
      channel.aligned = false;
      if (this.#channels.every((c) => c.idle)) {
        // Every input is idle, so none will advance: flush the highest watermark of all inputs
        // (Flink's findAndOutputMaxWatermarkAcrossAllSubpartitions). Flink does so only when the
        // input that just went idle was holding the output, and so do we, to give the same output.
        if (channel.watermark === this.#lastOutputWatermark) {
          let highest = MIN_WATERMARK;
          for (const c of this.#channels) if (c.watermark > highest) highest = c.watermark;
          if (highest > this.#lastOutputWatermark) {
            this.#lastOutputWatermark = highest;
            out.push({ kind: 'watermark', timestamp: highest });
          }
        }
        this.#outputIdle = true;
        out.push(IDLE);
      } else if (channel.watermark === this.#lastOutputWatermark) {
        // It may have been the minimum: the remaining aligned inputs may allow a higher watermark.
        this.#emitNewMinimum(out);
      }
    } else {
      if (channel.watermark >= this.#lastOutputWatermark) channel.aligned = true;
      if (this.#outputIdle) {
        this.#outputIdle = false;
        out.push(ACTIVE);
      }
    }
  }

  #emitNewMinimum(out: StreamElement<unknown, unknown>[]): void {
    let minimum = Infinity;
    let anyAligned = false;
    for (const channel of this.#channels) {
      if (channel.aligned && !channel.idle) {
        anyAligned = true;
        if (channel.watermark < minimum) minimum = channel.watermark;
      }
    }
    if (anyAligned && minimum > this.#lastOutputWatermark) {
      this.#lastOutputWatermark = minimum;
      out.push({ kind: 'watermark', timestamp: minimum });
    }
  }
}
