// Helpers of the NATS coordination tests: waiting on a real server, and a hand-set clock.
import { type ConnectionOptions, connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll } from 'vitest';
import type { CoordinationClock } from '../../src/nats/clock.js';
import { type NatsTestServer, startNatsServer } from './nats-server.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Polls `read` until it returns what `done` accepts, or fails after `timeoutMs`. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await sleep(50);
  }
}
/** A clock the test sets by hand; nothing is scheduled on it. */
export function manualClock(): CoordinationClock & { advance(ms: number): void } {
  let now = 0;
  return {
    now: () => now,
    schedule: () => () => undefined,
    advance(ms) {
      now += ms;
    },
  };
}

/**
 * A real server and a client connection for the tests of one file: started before them, closed
 * and removed after them. Read `server` and `nc` inside the tests.
 */
export function natsServerPerFile(options: ConnectionOptions = {}): { server: NatsTestServer; nc: NatsConnection } {
  const shared = {} as { server: NatsTestServer; nc: NatsConnection };
  beforeAll(async () => {
    shared.server = await startNatsServer();
    shared.nc = await connect({ ...options, servers: shared.server.url });
  });
  afterAll(async () => {
    await shared.nc.close();
    await shared.server.stop();
  });
  return shared;
}
