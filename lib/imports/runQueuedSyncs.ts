import { SyncNotQueuedError } from "./errors.ts";
import { runSync, SyncEventSchema, type SyncDeps } from "./syncFromApi.ts";

/**
 * A message of a sync queue: its id (for the partial batch answer), its body (a SyncEvent as JSON) and how often it
 * has been received, this time included (SQS's `ApproximateReceiveCount`).
 */
export interface SyncMessage {
  id: string;
  body: string;
  receiveCount: number;
}

/**
 * Runs the syncs a batch of sync-queue messages names, one after another (the worker's concurrency is the queue's),
 * each on its own: returns the ids of the messages to deliver again — a sync that failed unexpectedly (runSync
 * released it for a retry) or a body that is not a sync event (kept for the dead-letter queue, where a person can
 * look at it). A sync that ended in any way, a duplicate delivery, or a message whose sync is no longer queued is
 * done. Used by the sync worker (functions/sync/worker.ts) and the local stack's in-process queue.
 */
export async function runQueuedSyncs(deps: SyncDeps, messages: readonly SyncMessage[]): Promise<string[]> {
  const log = deps.log ?? (() => {});
  const retry: string[] = [];
  for (const message of messages) {
    let event;
    try {
      event = SyncEventSchema.parse(JSON.parse(message.body));
    } catch (error) {
      log("sync message is not a sync event: left for the dead-letter queue", {
        messageId: message.id,
        reason: error instanceof Error ? error.message : String(error),
      });
      retry.push(message.id);
      continue;
    }
    const { system: _system, ...ref } = event;
    try {
      const result = await runSync(deps, ref);
      log("sync ended", { ...ref, outcome: result.outcome, status: result.run.status });
    } catch (error) {
      if (error instanceof SyncNotQueuedError) {
        log("no queued sync to run", { ...ref, reason: error.message });
        continue;
      }
      log("sync attempt failed: released for a retry", {
        ...ref,
        reason: error instanceof Error ? error.message : String(error),
      });
      retry.push(message.id);
    }
  }
  return retry;
}
