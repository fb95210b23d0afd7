import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { SqsSchema } from "@aws-lambda-powertools/parser/schemas/sqs";
import middy from "@middy/core";
import type { FunctionConfig } from "../../lib/config/functionConfig.ts";
import { runQueuedSyncs, type SyncMessage } from "../../lib/imports/runQueuedSyncs.ts";
import { createSyncDeps } from "../shared/adapters.ts";
import { lambdaEntry } from "../shared/environment.ts";

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
  const logger = new Logger({ serviceName: "saldo-sync-worker" });
  const deps = createSyncDeps(config, logger);
  return middy()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: SqsSchema }))
    .handler(async (event) => {
      const messages: SyncMessage[] = event.Records.map((record) => ({
        id: record.messageId,
        body: record.body,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
      }));
      const failed = await runQueuedSyncs(deps, messages);
      return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
    });
}

export const handler = lambdaEntry(createHandler);
