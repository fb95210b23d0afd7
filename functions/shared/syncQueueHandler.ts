import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { SqsSchema } from "@aws-lambda-powertools/parser/schemas/sqs";
import middy from "@middy/core";
import type { FunctionConfig } from "../../lib/config/functionConfig.ts";
import type { SyncMessage } from "../../lib/imports/runQueuedSyncs.ts";
import type { SyncDeps } from "../../lib/imports/syncFromApi.ts";
import { createSyncDeps } from "./adapters.ts";

/**
 * An SQS event source's handler over sync messages (the sync worker, the dead-letter worker): the event validated
 * with Powertools' SQS schema, each record as a {@link SyncMessage} with its receive count, `consume` running them
 * with the sync's dependencies (built once per container), and the ids it answers reported as
 * `batchItemFailures`, so SQS delivers only those again.
 */
export function syncQueueHandler(
  config: FunctionConfig,
  serviceName: string,
  consume: (deps: SyncDeps, messages: SyncMessage[]) => Promise<string[]>,
) {
  const logger = new Logger({ serviceName });
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
      const failed = await consume(deps, messages);
      return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
    });
}
