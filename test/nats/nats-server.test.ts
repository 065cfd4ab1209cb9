import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { expect, it } from 'vitest';
import { startNatsServer } from './nats-server.js';

it('starts a JetStream server on a free loopback port and keeps its streams across a restart', async () => {
  const server = await startNatsServer();
  try {
    const first = await connect({ servers: server.url });
    await (await jetstreamManager(first)).streams.add({ name: 'SMOKE', subjects: ['smoke.>'] });
    await first.close();
    await server.restart();
    const second = await connect({ servers: server.url });
    const info = await (await jetstreamManager(second)).streams.info('SMOKE');
    expect(info.config.subjects).toEqual(['smoke.>']);
    await second.close();
  } finally {
    await server.stop();
  }
}, 30_000);
