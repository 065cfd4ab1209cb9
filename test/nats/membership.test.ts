// Membership and leader leases on a real nats-server: register, renew, expiry seen by polling (a
// 2.9 server sends no event when a key expires), and one leader at a time by compare-and-set.
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/core/errors.js';
import { openCoordinationBuckets } from '../../src/nats/buckets.js';
import { currentLeader, LeaderLease } from '../../src/nats/leader.js';
import { liveMembers, Membership } from '../../src/nats/membership.js';
import { manualClock, pollUntil, sleep, natsServerPerFile } from './helpers.js';

const nats = natsServerPerFile();

const TTL = 1000;
describe('membership', () => {
  it('registers instances, keeps a renewed lease alive past the TTL, and sees an unrenewed one expire by polling', async () => {
    const { leases } = await openCoordinationBuckets(nats.nc, { application: 'members', leaseTtlMs: TTL });
    const a = new Membership(leases, 'a', { leaseTtlMs: TTL });
    const b = new Membership(leases, 'b.1/x', { leaseTtlMs: TTL });
    await a.renew();
    await b.renew();
    expect(await liveMembers(leases)).toEqual(['a', 'b.1/x']);
    // a renews every 300 ms for 1.5 TTL; b does not, and its entry expires on the server.
    for (let i = 0; i < 5; i++) {
      await sleep(300);
      await a.renew();
    }
    expect(
      await pollUntil(
        () => liveMembers(leases),
        (m) => m.length === 1,
      ),
    ).toEqual(['a']);
  }, 15_000);

  it('a member knows its lease has lapsed when no renewal succeeded within the TTL (by its injected clock)', async () => {
    const { leases } = await openCoordinationBuckets(nats.nc, { application: 'lapse', leaseTtlMs: TTL });
    const clock = manualClock();
    const member = new Membership(leases, 'a', { leaseTtlMs: TTL, clock });
    expect(member.lapsed).toBe(true);
    await member.renew();
    clock.advance(TTL - 1);
    expect(member.lapsed).toBe(false);
    clock.advance(1);
    expect(member.lapsed).toBe(true);
  });

  it('leave removes the lease at once, without waiting for the TTL', async () => {
    const { leases } = await openCoordinationBuckets(nats.nc, { application: 'leave', leaseTtlMs: 60_000 });
    const a = new Membership(leases, 'a', { leaseTtlMs: 60_000 });
    await a.renew();
    await new Membership(leases, 'b', { leaseTtlMs: 60_000 }).renew();
    await a.leave();
    expect(await liveMembers(leases)).toEqual(['b']);
  });

  it('refuses a lease TTL that differs from the existing bucket, naming the option', async () => {
    await openCoordinationBuckets(nats.nc, { application: 'ttl', leaseTtlMs: 2000 });
    await expect(openCoordinationBuckets(nats.nc, { application: 'ttl', leaseTtlMs: 3000 })).rejects.toThrow(
      InvalidOptionError,
    );
    await expect(openCoordinationBuckets(nats.nc, { application: 'no spaces' })).rejects.toThrow(/application/);
  });
});

describe('leader lease', () => {
  it('elects one leader by compare-and-set; a second candidate is refused while the lease lives', async () => {
    const { leases } = await openCoordinationBuckets(nats.nc, { application: 'leader', leaseTtlMs: TTL });
    const a = new LeaderLease(leases, 'a', { leaseTtlMs: TTL });
    const b = new LeaderLease(leases, 'b', { leaseTtlMs: TTL });
    const won = await Promise.all([a.acquireOrRenew(), b.acquireOrRenew()]);
    expect(won.filter(Boolean)).toHaveLength(1);
    const [leader, other] = won[0] ? [a, b] : [b, a];
    expect(await currentLeader(leases)).toBe(leader.instanceId);
    // Renewals keep it; the other keeps being refused.
    for (let i = 0; i < 4; i++) {
      await sleep(300);
      expect(await leader.acquireOrRenew()).toBe(true);
      expect(await other.acquireOrRenew()).toBe(false);
    }
    expect(leader.isLeader).toBe(true);
    expect(other.isLeader).toBe(false);
  }, 15_000);

  it('passes to another candidate once the leader stops renewing, and the old leader cannot renew over it', async () => {
    const { leases } = await openCoordinationBuckets(nats.nc, { application: 'takeover', leaseTtlMs: TTL });
    const a = new LeaderLease(leases, 'a', { leaseTtlMs: TTL });
    const b = new LeaderLease(leases, 'b', { leaseTtlMs: TTL });
    expect(await a.acquireOrRenew()).toBe(true);
    await pollUntil(
      () => b.acquireOrRenew(),
      (won) => won,
    );
    expect(await currentLeader(leases)).toBe('b');
    // a's CAS on its old revision fails, and creating is refused while b's lease lives.
    expect(await a.acquireOrRenew()).toBe(false);
    expect(a.isLeader).toBe(false);
  }, 15_000);

  it('release hands the lease over at once', async () => {
    const { leases } = await openCoordinationBuckets(nats.nc, { application: 'release', leaseTtlMs: 60_000 });
    const a = new LeaderLease(leases, 'a', { leaseTtlMs: 60_000 });
    const b = new LeaderLease(leases, 'b', { leaseTtlMs: 60_000 });
    expect(await a.acquireOrRenew()).toBe(true);
    expect(await b.acquireOrRenew()).toBe(false);
    await a.release();
    expect(await b.acquireOrRenew()).toBe(true);
  });
});
