// The simulated traffic: a deterministic function of (seed, index), so that a replay from a
// checkpoint's position produces exactly the events of the first run, and a test can compare a run
// with reloads to one without. A clock paces it: real time in the page, faster in tests.

/** One event as the page receives it. Malformed on purpose now and then: `at` missing, `latency` not a number. */
export interface TelemetryEvent {
  readonly kind: 'request' | 'click' | 'key' | 'vital';
  readonly area: string;
  readonly user: string;
  readonly at?: number | undefined;
  readonly latency: unknown;
  readonly error: boolean;
}

export const AREAS = ['home', 'search', 'cart', 'checkout'] as const;
const BASE_LATENCY: Record<string, number> = { home: 40, search: 120, cart: 80, checkout: 220 };

export interface GeneratorConfig {
  readonly seed: number;
  /** Event time of event 0 (ms since the epoch). */
  readonly t0: number;
  /** Share of events sent 1 to 10 s late (0: none). */
  readonly disorder: number;
}

/** A uniform number in [0, 1) from (seed, index, salt): a 32-bit integer hash (mulberry32's finaliser). */
function random(seed: number, index: number, salt: number): number {
  let t = (seed ^ Math.imul(index, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca6b)) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** When event `index` happens: about every 100 ms, in order within 100 ms. */
export function scheduledAt(config: GeneratorConfig, index: number): number {
  return config.t0 + index * 100 + Math.floor(random(config.seed, index, 1) * 100);
}

/** Event `index` of the simulated traffic. */
export function simulatedEvent(config: GeneratorConfig, index: number): TelemetryEvent {
  const r = (salt: number) => random(config.seed, index, salt);
  let at = scheduledAt(config, index);
  if (r(2) < config.disorder) at -= 1_000 + Math.floor(r(3) * 9_000); // arrives late, out of order
  const area = AREAS[Math.floor(r(4) * AREAS.length)]!;
  const latency = Math.round(BASE_LATENCY[area]! * (0.5 + r(5) * r(5) * 6));
  // Users come and go: every 15 s of event time another three of eight are online.
  const phase = Math.floor((index * 100) / 15_000);
  const user = `u${(phase * 3 + Math.floor(r(6) * 3)) % 8}`;
  const error = r(7) < (area === 'checkout' ? 0.08 : 0.02);
  if (index % 97 === 13) return { kind: 'request', area, user, at: undefined, latency, error }; // no timestamp
  if (index % 89 === 7) return { kind: 'request', area, user, at, latency: 'slow', error }; // latency not a number
  return { kind: 'request', area, user, at, latency, error };
}

/** Paces the generator: `until(t)` resolves when the clock has reached event time t. */
export interface DemoClock {
  until(t: number): Promise<void>;
}

/**
 * A clock that runs `speed` times real time, at event time `t0` when the wall clock read `wallStart`
 * (both kept across reloads, so a reloaded page continues the same timeline; speed 1 and
 * t0 = wallStart: the page's real time).
 */
export function pacedClock(t0: number, wallStart: number, speed: number): DemoClock {
  return {
    until(t) {
      const wait = (t - t0) / speed - (Date.now() - wallStart);
      return wait <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, wait));
    },
  };
}

/** The traffic from event 0 on, paced by `clock` (`count` events, or without end). */
export async function* simulatedTraffic(
  config: GeneratorConfig,
  clock: DemoClock,
  count = Infinity,
): AsyncGenerator<TelemetryEvent> {
  for (let i = 0; i < count; i++) {
    await clock.until(scheduledAt(config, i));
    yield simulatedEvent(config, i);
  }
}
