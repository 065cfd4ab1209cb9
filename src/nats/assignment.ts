/**
 * Task assignment, as pure functions: the sticky target (Kafka's StickyAssignor: keep every task
 * where it is unless that overloads its instance, move the fewest) and one step of a rebalance that
 * revokes before it assigns (Kafka's cooperative protocol: a task leaves its old owner, which stops
 * it, checkpoints and releases it, before the new owner is told to start it).
 */

/** Which instance each task is assigned to (null: revoked, waiting for its release), at a generation. */
export interface Assignment {
  /** Bumped by every change the leader writes; instances ignore older generations. */
  readonly generation: number;
  readonly owners: Readonly<Record<string, string | null>>;
}

/**
 * The balanced assignment closest to `previous`: every instance gets ⌊tasks/members⌋ or one more
 * task; a task stays with its live previous owner while that owner is under its share; the others
 * go to the least loaded instances (ties by id, so every leader computes the same).
 *
 * @example
 * // internal: stickyTarget(['t0', 't1', 't2'], ['a', 'b'], { t0: 'a', t1: 'a', t2: 'a' });
 * // internal: // { t0: 'a', t1: 'a', t2: 'b' }: one task moves to the new instance
 */
export function stickyTarget(
  tasks: readonly string[],
  members: readonly string[],
  previous: Readonly<Record<string, string | null>>,
): Record<string, string> {
  const target: Record<string, string> = {};
  if (members.length === 0) return target;
  const sortedMembers = [...members].sort();
  const base = Math.floor(tasks.length / sortedMembers.length);
  let extra = tasks.length % sortedMembers.length;
  // The instances that hold the most tasks now get the shares with one more, so the fewest move.
  const held = new Map(sortedMembers.map((m) => [m, 0]));
  for (const task of tasks) {
    const owner = previous[task];
    if (owner != null && held.has(owner)) held.set(owner, held.get(owner)! + 1);
  }
  const capacity = new Map<string, number>();
  for (const member of [...sortedMembers].sort((a, b) => held.get(b)! - held.get(a)! || (a < b ? -1 : 1))) {
    capacity.set(member, base + (extra > 0 && held.get(member)! > base ? 1 : 0));
    if (capacity.get(member)! > base) extra--;
  }
  // Shares with one more that no instance claimed by holding tasks go to the first by id.
  for (const member of sortedMembers) {
    if (extra === 0) break;
    if (capacity.get(member) === base) {
      capacity.set(member, base + 1);
      extra--;
    }
  }
  const load = new Map(sortedMembers.map((m) => [m, 0]));
  const unplaced: string[] = [];
  for (const task of tasks) {
    const owner = previous[task];
    if (owner != null && load.has(owner) && load.get(owner)! < capacity.get(owner)!) {
      target[task] = owner;
      load.set(owner, load.get(owner)! + 1);
    } else unplaced.push(task);
  }
  for (const task of unplaced) {
    const member = sortedMembers.find((m) => load.get(m)! < capacity.get(m)!)!;
    target[task] = member;
    load.set(member, load.get(member)! + 1);
  }
  return target;
}

/**
 * One step from the current owners towards the target, never giving a task to a new owner while
 * another may still run it:
 * - a task whose live owner is not its target is revoked (null);
 * - a revoked or orphaned task goes to its target once nobody holds it: its holder released it,
 *   its holder's lease lapsed (dead instance), or its holder is the target.
 * `holders` are the instances recorded in the tasks' fences (`task.<id>` keys).
 *
 * @example
 * // internal: rebalanceStep({ t0: 'a' }, { t0: 'b' }, new Set(['a', 'b']), { t0: 'a' }); // { t0: null }
 * // internal: rebalanceStep({ t0: null }, { t0: 'b' }, new Set(['a', 'b']), { t0: null }); // { t0: 'b' }
 */
export function rebalanceStep(
  current: Readonly<Record<string, string | null>>,
  target: Readonly<Record<string, string>>,
  alive: ReadonlySet<string>,
  holders: Readonly<Record<string, string | null>>,
): Record<string, string | null> {
  const next: Record<string, string | null> = {};
  for (const [task, wanted] of Object.entries(target)) {
    const owner = current[task] ?? null;
    const holder = holders[task] ?? null;
    if (owner === wanted) next[task] = owner;
    else if (owner !== null && alive.has(owner)) next[task] = null;
    else next[task] = holder === null || holder === wanted || !alive.has(holder) ? wanted : null;
  }
  return next;
}

/**
 * Whether two owner maps are the same (the leader writes a new generation only on a change).
 *
 * @example
 * // internal: sameOwners({ t0: 'a' }, { t0: 'a' }); // true
 */
export function sameOwners(
  a: Readonly<Record<string, string | null>>,
  b: Readonly<Record<string, string | null>>,
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => (b[k] ?? null) === (a[k] ?? null) && k in b);
}
