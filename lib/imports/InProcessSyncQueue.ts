import { randomUUID } from "node:crypto";
import type { IntegrationSystem } from "../secrets/types.ts";
import type { SyncMessage } from "./runQueuedSyncs.ts";
import type { QueuedSync, SyncDispatcher, SyncEvent } from "./syncFromApi.ts";
import { SYNC_MAX_RECEIVES, SYNC_QUEUE_LIMITS } from "./syncQueues.ts";

/** A message the queue gave up on after {@link SYNC_MAX_RECEIVES} receives: its body and the queue it was on. */
export interface DeadSyncMessage {
  queue: string;
  body: string;
  receives: number;
}

/**
 * What drains a queue: the sync worker, given one batch of messages (each with how often it has been received), and
 * answering the ids of those to deliver again; `queue` is the queue they came from — the worker handler's `batchItemFailures` (the local stack invokes
 * functions/sync/worker.ts's handler with an SQS event; unit tests call `runQueuedSyncs` directly).
 */
export type SyncQueueWorker = (messages: SyncMessage[], queue: string) => Promise<string[]>;

interface QueuedMessage {
  id: string;
  body: string;
  receives: number;
}

/**
 * The local stack's sync queues (one process for everything), as SQS runs the cloud's: one queue per accounting
 * system, drained by the sync worker with the cloud's concurrency per system (SYNC_QUEUE_LIMITS), one message per
 * batch; a message the worker names in its answer is delivered again (its receive count one higher) and given up
 * after {@link SYNC_MAX_RECEIVES} receives (`onDeadLetter`, as SQS moves it to the dead-letter queue). A message sent
 * to a queue that is no system's runs with concurrency 1. `idle()` resolves when every message sent has been handled
 * (tests, shutdown).
 */
export class InProcessSyncQueue implements SyncDispatcher {
  readonly #waiting = new Map<string, QueuedMessage[]>();
  readonly #running = new Map<string, number>();
  readonly #idle = new Set<() => void>();
  /** Messages waiting out their visibility timeout before they are delivered again. */
  #delayed = 0;

  constructor(
    private readonly worker: SyncQueueWorker,
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
    this.send(sync.system ?? "unknown", JSON.stringify(event));
  }

  /** Puts a message on a queue (SQS SendMessage): `queue` is the system's name. Returns the message's id. */
  send(queue: string, body: string): string {
    const id = randomUUID();
    this.#enqueue(queue, { id, body, receives: 0 });
    return id;
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

  #enqueue(queue: string, message: QueuedMessage): void {
    const waiting = this.#waiting.get(queue) ?? [];
    waiting.push(message);
    this.#waiting.set(queue, waiting);
    this.#pump(queue);
  }

  #limitOf(queue: string): number {
    if (!Object.hasOwn(SYNC_QUEUE_LIMITS, queue)) return 1;
    const system = queue as IntegrationSystem;
    return this.options.limits?.[system] ?? SYNC_QUEUE_LIMITS[system].maxConcurrency;
  }

  #pump(queue: string): void {
    const waiting = this.#waiting.get(queue) ?? [];
    while (waiting.length > 0 && (this.#running.get(queue) ?? 0) < this.#limitOf(queue)) {
      const message = waiting.shift()!;
      message.receives++;
      this.#running.set(queue, (this.#running.get(queue) ?? 0) + 1);
      const { id } = message;
      // A worker that throws (a crash, a timeout) has every message of its batch delivered again, as in SQS.
      void Promise.resolve()
        .then(() => this.worker([{ id, body: message.body, receiveCount: message.receives }], queue))
        .catch(() => [id])
        .then((retry) => {
          this.#running.set(queue, (this.#running.get(queue) ?? 0) - 1);
          if (retry.includes(id)) {
            if (message.receives >= SYNC_MAX_RECEIVES) {
              this.options.log?.("sync message dead-lettered", {
                queue,
                body: message.body,
                receives: message.receives,
              });
              this.options.onDeadLetter?.({ queue, body: message.body, receives: message.receives });
            } else {
              this.#delayed++;
              setTimeout(() => {
                this.#delayed--;
                this.#enqueue(queue, message);
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
