import type { IntegrationSystem } from "../secrets/types.ts";
import { runQueuedSyncs } from "./runQueuedSyncs.ts";
import type { QueuedSync, SyncDeps, SyncDispatcher, SyncEvent } from "./syncFromApi.ts";
import { SYNC_MAX_RECEIVES, SYNC_QUEUE_LIMITS } from "./syncQueues.ts";

/** A message the queue gave up on after {@link SYNC_MAX_RECEIVES} receives. */
export interface DeadSyncMessage {
  event: SyncEvent;
  receives: number;
}

/**
 * The local stack's sync queues (one process for everything): one queue per accounting system, each run by the sync
 * worker's code (`runQueuedSyncs`) with the cloud's concurrency per system (SYNC_QUEUE_LIMITS), a message delivered
 * again when its sync failed unexpectedly and given up after {@link SYNC_MAX_RECEIVES} receives (`onDeadLetter`), as
 * SQS and its dead-letter queue do. A sync whose system is not known runs in a queue of its own. `idle()` resolves
 * when every sync handed over has ended (tests, shutdown).
 */
export class InProcessSyncQueue implements SyncDispatcher {
  readonly #waiting = new Map<string, { event: SyncEvent; receives: number }[]>();
  readonly #running = new Map<string, number>();
  readonly #idle = new Set<() => void>();
  #sequence = 0;
  /** Messages waiting out their visibility timeout before they are delivered again. */
  #delayed = 0;

  constructor(
    private readonly deps: SyncDeps,
    private readonly options: {
      log?: (message: string, fields: Record<string, unknown>) => void;
      onDeadLetter?: (message: DeadSyncMessage) => void;
      /** Per-system concurrency (default the cloud's). */
      limits?: Partial<Record<IntegrationSystem, number>>;
      /** Pause before a message is delivered again (SQS: its visibility timeout); default 1 s. */
      redeliveryDelayMs?: number;
    } = {},
  ) {}

  async dispatch(sync: QueuedSync): Promise<void> {
    const event: SyncEvent = {
      tenantId: sync.tenantId,
      clientId: sync.clientId,
      engagementId: sync.engagementId,
      importId: sync.importId,
      ...(sync.system !== undefined ? { system: sync.system } : {}),
    };
    this.#enqueue({ event, receives: 0 });
  }

  /** Syncs waiting or running. */
  get size(): number {
    let size = 0;
    for (const waiting of this.#waiting.values()) size += waiting.length;
    for (const running of this.#running.values()) size += running;
    return size + this.#delayed;
  }

  async idle(): Promise<void> {
    if (this.size === 0) return;
    await new Promise<void>((resolve) => this.#idle.add(resolve));
  }

  #enqueue(message: { event: SyncEvent; receives: number }): void {
    const queue = message.event.system ?? "unknown";
    const waiting = this.#waiting.get(queue) ?? [];
    waiting.push(message);
    this.#waiting.set(queue, waiting);
    this.#pump(queue);
  }

  #limitOf(queue: string): number {
    if (queue === "unknown") return 1;
    const system = queue as IntegrationSystem;
    return this.options.limits?.[system] ?? SYNC_QUEUE_LIMITS[system].maxConcurrency;
  }

  #pump(queue: string): void {
    const waiting = this.#waiting.get(queue) ?? [];
    while (waiting.length > 0 && (this.#running.get(queue) ?? 0) < this.#limitOf(queue)) {
      const message = waiting.shift()!;
      message.receives++;
      this.#running.set(queue, (this.#running.get(queue) ?? 0) + 1);
      const id = String(++this.#sequence);
      void runQueuedSyncs(this.deps, [{ id, body: JSON.stringify(message.event) }])
        .catch(() => [id])
        .then((retry) => {
          this.#running.set(queue, (this.#running.get(queue) ?? 0) - 1);
          if (retry.length > 0) {
            if (message.receives >= SYNC_MAX_RECEIVES) {
              this.options.log?.("sync message dead-lettered", { ...message.event, receives: message.receives });
              this.options.onDeadLetter?.({ event: message.event, receives: message.receives });
            } else {
              this.#delayed++;
              setTimeout(() => {
                this.#delayed--;
                this.#enqueue(message);
              }, this.options.redeliveryDelayMs ?? 1000);
            }
          }
          this.#pump(queue);
          this.#notifyIdle();
        });
    }
  }

  #notifyIdle(): void {
    if (this.size > 0) return;
    for (const resolve of this.#idle) resolve();
    this.#idle.clear();
  }
}
