/** The segments `npm run bench -- parallel` runs in workers (each worker imports this module). */
import { columnarCodec, defineSegment } from '../src/parallel/index.js';
import { keyedProcess } from '../src/keyed/index.js';
import { count, tumblingEventTimeWindows, window } from '../src/window/index.js';

/** A bench event. */
export interface BenchEvent {
  readonly key: number;
  readonly at: number;
}

/** Busy work of about `micros` µs (calibrated once per thread). */
function spin(rounds: number): number {
  let x = 0;
  for (let i = 0; i < rounds; i++) x = (x * 31 + i) % 1_000_003;
  return x;
}

/** Rounds of `spin` that take about 5 µs here. */
export function roundsFor5us(): number {
  const rounds = 100_000;
  const start = performance.now();
  spin(rounds);
  const perRound = (performance.now() - start) / rounds;
  return Math.max(1, Math.round(0.005 / perRound));
}

/**
 * The environment variable with the rounds of `spin` every thread does per record: calibrated once
 * on the main thread (`calibrate`) and inherited by the workers, so that each run does the same work
 * (a worker calibrating for itself, under other load, would do less or more).
 */
const ROUNDS_VARIABLE = 'RXFLINK_BENCH_SPIN_ROUNDS';

/** Calibrates the rounds of 5 µs on this thread, for this thread and the workers it starts. */
export function calibrate(): number {
  roundsFor5us(); // once to warm the JIT: the first measure is of unoptimized code
  const rounds = roundsFor5us();
  process.env[ROUNDS_VARIABLE] = String(rounds);
  return rounds;
}

/**
 * A CPU-heavy keyed step: ~5 µs of work per record. Its batches cross as typed-array columns
 * (`columnarCodec`): the records are flat numbers.
 */
export const heavy = defineSegment<BenchEvent, number, number>(
  import.meta.url,
  'heavy',
  (input) => {
    const rounds = Number(process.env[ROUNDS_VARIABLE]) || roundsFor5us();
    return input.pipe(
      keyedProcess<BenchEvent, number, number>({
        processElement(value, ctx) {
          if (value.at % 1000 === 0) ctx.output(spin(rounds));
          else spin(rounds);
        },
      }),
    );
  },
  { codec: columnarCodec() },
);

/** A light step: the window bench's tumbling count. */
export const light = defineSegment<BenchEvent, number, unknown>(import.meta.url, 'light', (input) =>
  input.pipe(window<BenchEvent, number>(tumblingEventTimeWindows(1000)).aggregate(count())),
);
