import type { FunctionConfig } from "../../lib/config/functionConfig.ts";
import { endDeadLetteredSyncs } from "../../lib/imports/runQueuedSyncs.ts";
import { lambdaEntry } from "../shared/environment.ts";
import { syncQueueHandler } from "../shared/syncQueueHandler.ts";

/**
 * A sync queue's dead-letter queue (SQS event source, infra/schedule.ts) → endDeadLetteredSyncs: a message lands there
 * after its last receive — its attempts crashed or timed out, so the worker could not record how the sync ended. The
 * sync is ended as failed and the outcome recorded on the engagement at once (not only by the sweeper, later). The
 * message is deleted then; the worker's and this function's logs keep what happened.
 *
 * Composition root (STYLE.md §3): created once per container.
 */
export function createHandler(config: FunctionConfig) {
  return syncQueueHandler(config, "saldo-sync-dead-letters", endDeadLetteredSyncs);
}

export const handler = lambdaEntry(createHandler);
