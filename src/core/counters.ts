/**
 * Named counters of what an operator dropped, routed or saw. Nothing is lost silently: every
 * operator that can drop or divert data counts it here.
 */
export class Counters {
  readonly #values = new Map<string, number>();

  /** Adds `amount` (default 1) to the counter `name`. */
  add(name: string, amount = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + amount);
  }

  /** The current value of counter `name`; 0 if nothing was ever counted under it. */
  get(name: string): number {
    return this.#values.get(name) ?? 0;
  }

  /** All counters, as a plain object. */
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.#values);
  }
}
