/**
 * The window benchmark's workload (issue 3): events over `keys` keys whose event time advances 1 ms
 * per event with up to 500 ms of disorder: ts = base + i - uniform{0..500}, from a seeded PRNG.
 */
export interface WindowEvent {
  readonly key: string;
  readonly ts: number;
  readonly value: number;
}

export interface WorkloadOptions {
  events?: number;
  keys?: number;
  maxDisorder?: number;
  base?: number;
  seed?: number;
}

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Generates the workload: 2,000,000 events over 10,000 keys by default (dense variant: `keys: 100`). */
export function generateWindowWorkload(options: WorkloadOptions = {}): WindowEvent[] {
  const n = options.events ?? 2_000_000;
  const keyCount = options.keys ?? 10_000;
  const disorder = options.maxDisorder ?? 500;
  const base = options.base ?? 1_700_000_000_000;
  const random = mulberry32(options.seed ?? 42);
  const names = Array.from({ length: keyCount }, (_, k) => `key-${k}`);
  const events = new Array<WindowEvent>(n);
  for (let i = 0; i < n; i++) {
    const key = names[Math.floor(random() * keyCount)]!;
    const ts = base + i - Math.floor(random() * (disorder + 1));
    const value = Math.floor(random() * 100);
    events[i] = { key, ts, value };
  }
  return events;
}
