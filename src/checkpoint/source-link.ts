/**
 * One declared source's link to the checkpoint coordinator: the source injects barriers and restore
 * markers through its port, and tells the coordinator when it connects, disconnects and finishes.
 */
import type { SourceCheckpointLink, SourcePort } from '../core/source-link.js';
import { InvalidOptionError } from '../core/errors.js';

/** What a source's link may ask of the coordinator. */
export interface SourceHooks {
  /** The source subscribed; returns the pipeline's failure when the subscription is refused. */
  connected(state: SourceState): { readonly error: unknown } | undefined;
  disconnected(state: SourceState): void;
  finishing(state: SourceState, position: unknown): void;
}

/** One declared source's link to the coordinator. */
export class SourceState implements SourceCheckpointLink {
  port: SourcePort | undefined;
  finalPosition: { position: unknown } | undefined;
  /** The coordinator completed this subscription: its disconnection is its end, not a stop. */
  completed = false;
  readonly #coordinator: SourceHooks;

  declare readonly id: string;

  constructor(id: string, coordinator: SourceHooks) {
    this.id = id;
    this.#coordinator = coordinator;
  }

  connect(port: SourcePort): () => void {
    if (this.port !== undefined) {
      port.fail(
        new InvalidOptionError(
          'source',
          this.id,
          'is subscribed twice; a checkpointed source feeds one pipeline (share it downstream instead)',
        ),
      );
      return () => {};
    }
    this.port = port;
    this.finalPosition = undefined;
    this.completed = false;
    const refused = this.#coordinator.connected(this);
    if (refused !== undefined) {
      this.port = undefined;
      port.fail(refused.error);
      return () => {};
    }
    return () => {
      if (this.port !== port) return;
      this.port = undefined;
      this.#coordinator.disconnected(this);
    };
  }

  finishing(position: unknown): void {
    this.#coordinator.finishing(this, position);
  }

  complete(): void {
    this.completed = true;
    this.port?.complete();
  }
}
