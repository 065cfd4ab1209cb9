import { ACTIVE, IDLE, MIN_WATERMARK, type StreamElement } from '../core/elements.js';

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
 */
export class WatermarkValve {
  readonly #channels: Channel[];
  #lastOutputWatermark = MIN_WATERMARK;
  #outputIdle = false;

  constructor(inputs: number) {
    this.#channels = Array.from({ length: inputs }, () => ({ watermark: MIN_WATERMARK, idle: false, aligned: true }));
  }

  /** The last watermark the valve forwarded. */
  get outputWatermark(): number {
    return this.#lastOutputWatermark;
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
        // Flink (FLINK-28977 and later) first releases the highest watermark of all inputs.
        const highest = Math.max(...this.#channels.map((c) => c.watermark));
        if (highest > this.#lastOutputWatermark) {
          this.#lastOutputWatermark = highest;
          out.push({ kind: 'watermark', timestamp: highest });
        }
        this.#outputIdle = true;
        out.push(IDLE);
      } else {
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
