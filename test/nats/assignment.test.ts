// The sticky target and the revoke-then-assign step, as pure functions, against a reference model
// (Kafka's StickyAssignor: balanced, and the fewest tasks moved).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rebalanceStep, sameOwners, stickyTarget } from '../../src/nats/assignment.js';

const tasks = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);

/** The fewest moves any balanced assignment needs: orphans, plus each instance's tasks over its share. */
function fewestMoves(ids: string[], members: string[], previous: Record<string, string | null>): number {
  const held = members.map((m) => ids.filter((t) => previous[t] === m).length).sort((a, b) => b - a);
  const base = Math.floor(ids.length / members.length);
  const extra = ids.length % members.length;
  const orphans = ids.filter((t) => previous[t] == null || !members.includes(previous[t]!)).length;
  return orphans + held.reduce((sum, h, i) => sum + Math.max(0, h - (base + (i < extra ? 1 : 0))), 0);
}

describe('stickyTarget', () => {
  it('a join moves the fewest tasks: 6 tasks on 2 instances, a third joins, 2 move', () => {
    const previous = { t0: 'a', t1: 'a', t2: 'a', t3: 'b', t4: 'b', t5: 'b' };
    const target = stickyTarget(tasks(6), ['a', 'b', 'c'], previous);
    const moved = tasks(6).filter((t) => target[t] !== previous[t as keyof typeof previous]);
    expect(moved).toHaveLength(2);
    expect(moved.every((t) => target[t] === 'c')).toBe(true);
  });

  it('a death moves only the dead instance tasks', () => {
    const previous = { t0: 'a', t1: 'b', t2: 'c', t3: 'a', t4: 'b', t5: 'c' };
    const target = stickyTarget(tasks(6), ['a', 'c'], previous);
    expect([target.t0, target.t2, target.t3, target.t5]).toEqual(['a', 'c', 'a', 'c']);
    expect([target.t1, target.t4].sort()).toEqual(['a', 'c']);
  });

  it('property: balanced, complete, deterministic, and moves no more tasks than the reference minimum', () => {
    const members = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 24 }),
        members,
        fc.array(fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'z'), { nil: null }), { maxLength: 24 }),
        (n, live, owners) => {
          const ids = tasks(n);
          const previous = Object.fromEntries(ids.map((t, i) => [t, owners[i] ?? null]));
          const target = stickyTarget(ids, live, previous);
          expect(Object.keys(target).sort()).toEqual([...ids].sort());
          const counts = live.map((m) => ids.filter((t) => target[t] === m).length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
          expect(ids.filter((t) => target[t] !== previous[t]).length).toBe(fewestMoves(ids, live, previous));
          expect(stickyTarget(ids, [...live].reverse(), previous)).toEqual(target);
        },
      ),
    );
  });
});

describe('rebalanceStep (revoke, then assign)', () => {
  const alive = new Set(['a', 'b']);

  it('revokes a task from its live owner first, and assigns it only once the owner released it', () => {
    const revoked = rebalanceStep({ t0: 'a' }, { t0: 'b' }, alive, { t0: 'a' });
    expect(revoked).toEqual({ t0: null });
    // Still held by a (not yet stopped): the task waits.
    expect(rebalanceStep(revoked, { t0: 'b' }, alive, { t0: 'a' })).toEqual({ t0: null });
    expect(rebalanceStep(revoked, { t0: 'b' }, alive, { t0: null })).toEqual({ t0: 'b' });
  });

  it('gives the tasks of a dead instance to their target at once (its lease lapsed: nobody runs them)', () => {
    expect(rebalanceStep({ t0: 'c', t1: 'a' }, { t0: 'b', t1: 'a' }, alive, { t0: 'c', t1: 'a' })).toEqual({
      t0: 'b',
      t1: 'a',
    });
  });

  it('assigns never-assigned tasks at once, and leaves a settled assignment unchanged', () => {
    const first = rebalanceStep({}, { t0: 'a', t1: 'b' }, alive, {});
    expect(first).toEqual({ t0: 'a', t1: 'b' });
    expect(sameOwners(rebalanceStep(first, { t0: 'a', t1: 'b' }, alive, { t0: 'a', t1: 'b' }), first)).toBe(true);
  });
});
