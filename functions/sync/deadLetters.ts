import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { SqsSchema } from "@aws-lambda-powertools/parser/schemas/sqs";
import middy from "@middy/core";
import type { FunctionConfig } from "../../lib/config/functionConfig.ts";
import { endDeadLetteredSyncs, type SyncMessage } from "../../lib/imports/runQueuedSyncs.ts";
import { createSyncDeps } from "../shared/adapters.ts";
import { lambdaEntry } from "../shared/environment.ts";

/**
 * A sync queue's dead-letter queue (SQS event source, infra/schedule.ts) → endDeadLetteredSyncs: a message lands there
 * after its last receive — its attempts crashed or timed out, so the worker could not record how the sync ended. The
 * sync is ended as failed and the outcome recorded on the engagement at once (not only by the sweeper, later). The
 * message is deleted then; the worker's and this function's logs keep what happened.
 *
 * Composition root (STYLE.md §3): created once per container.
 */
export function createHandler(config: FunctionConfig) {
  const logger = new Logger({ serviceName: "saldo-sync-dead-letters" });
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
      const failed = await endDeadLetteredSyncs(deps, messages);
      return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
    });
}

export const handler = lambdaEntry(createHandler);
