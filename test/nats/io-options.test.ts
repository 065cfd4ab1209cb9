// Bad options of rxflink/nats's producer, source and sink fail where they are built, with an
// InvalidOptionError naming the option (no server needed: nothing is sent before the checks).
import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/index.js';
import { natsExactlyOnceSink, natsProducer, natsSource, partitionMapping } from '../../src/nats/index.js';

const js = {} as JetStreamClient;
const option = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return (error as InvalidOptionError).option;
  }
  return undefined;
};

describe('rxflink/nats options', () => {
  it('natsSource: key-group range, fetch bounds, position and until are checked', () => {
    const base = { stream: 'IN', prefix: 'in', maxParallelism: 8 };
    expect(option(() => natsSource(js, { ...base, keyGroups: { start: 4, end: 8 } }))).toBe('keyGroups');
    expect(option(() => natsSource(js, { ...base, keyGroups: { start: 3, end: 2 } }))).toBe('keyGroups');
    expect(option(() => natsSource(js, { ...base, prefix: 'in.*' }))).toBe('prefix');
    expect(option(() => natsSource(js, { ...base, fetchMessages: 0 }))).toBe('fetchMessages');
    expect(option(() => natsSource(js, { ...base, stream: '' }))).toBe('stream');
    expect(option(() => natsSource(js, { ...base, until: 'later' as 'end' }))).toBe('until');
    // A position is checked when the source opens (at subscription).
    const bad = natsSource(js, { ...base, from: { partitions: { '1': { next: 0, skip: 0 } } } });
    let error: unknown;
    bad.subscribe({ error: (e) => (error = e) });
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe('from.partitions[1]');
  });

  it('natsProducer and partitionMapping: prefix, key and counts are checked', () => {
    expect(option(() => natsProducer(js, { prefix: 'a b', key: (v: string) => v }))).toBe('prefix');
    expect(option(() => natsProducer(js, { prefix: 'a', key: 'k' as never }))).toBe('key');
    expect(option(() => natsProducer(js, { prefix: 'a', key: (v: string) => v, maxRecordsPerMessage: 0 }))).toBe(
      'maxRecordsPerMessage',
    );
    expect(option(() => partitionMapping('ingest', 'orders', 0))).toBe('partitions');
  });

  it('natsExactlyOnceSink: job, task, subject and recoveryTime are checked before the server is asked', async () => {
    const base = {
      uid: 'out',
      stream: 'OUT',
      subject: 'out',
      job: 'j',
      task: 't',
      markers: {} as KV,
      recoveryTime: 1_000,
    };
    const optionOf = async (options: typeof base) =>
      ((await natsExactlyOnceSink(js, options).catch((e: unknown) => e)) as InvalidOptionError).option;
    expect(await optionOf({ ...base, job: 'a b' })).toBe('job');
    expect(await optionOf({ ...base, task: '' })).toBe('task');
    expect(await optionOf({ ...base, subject: 'out.>' })).toBe('subject');
    expect(await optionOf({ ...base, recoveryTime: -1 })).toBe('recoveryTime');
  });
});
