import type { FunctionConfig } from "../../lib/config/functionConfig.ts";
import { runQueuedSyncs } from "../../lib/imports/runQueuedSyncs.ts";
import { lambdaEntry } from "../shared/environment.ts";
import { syncQueueHandler } from "../shared/syncQueueHandler.ts";

/**
 * The sync worker: an accounting system's sync queue (SQS event source, infra/schedule.ts) → runSync for each
 * message — every sync there is: the API's sync route (and `saldo sync`), the schedule's fan-out and the sweeper all
 * send to the queues, in the cloud as in the local stack (whose in-process queues invoke this handler). The queue's
 * `maximumConcurrency` and this function's share of the system's rate limit (SALDO_POWEROFFICE_GO_REQUESTS_PER_SECOND)
 * keep the system under its cap across all clients and tenants. Each message is its own outcome: a sync that ended
 * (imported, held, unchanged, failed with its code, a duplicate delivery) is done; a message whose sync failed
 * unexpectedly (released for a retry) is reported in `batchItemFailures`, so SQS delivers it again, and after
 * `maxReceiveCount` receives moves it to the dead-letter queue — the others of the batch are not retried.
 *
 * Composition root (STYLE.md §3): created once per container.
 */
export function createHandler(config: FunctionConfig) {
  return syncQueueHandler(config, "saldo-sync-worker", runQueuedSyncs);
}

export const handler = lambdaEntry(createHandler);
