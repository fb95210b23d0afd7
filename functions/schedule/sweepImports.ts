import middy from "@middy/core";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import type { FunctionConfig } from "../../lib/config/functionConfig.ts";
import { sweepImports } from "../../lib/imports/sweepImports.ts";
import { LambdaIngestRedelivery } from "../../lib/store/LambdaIngestRedelivery.ts";
import { createStores, createSyncDispatcher } from "../shared/adapters.ts";
import { lambdaEntry, required } from "../shared/environment.ts";

/**
 * Scheduled (infra/sweeper.ts) → sweepImports: dead attempts re-queued and re-delivered (uploads to the ingest
 * function, syncs to their sync queue) or failed, unfinished data
 * expiry finished. Fails the invocation when an import could not be handled, so that it shows in the function's
 * errors; the next sweep handles it again.
 *
 * Composition root (STYLE.md §3): created once per container.
 */
export function createHandler(config: FunctionConfig) {
  const logger = new Logger({ serviceName: "saldo-sweeper" });
  const { importStore, engagementStore } = createStores(config);
  const redelivery = new LambdaIngestRedelivery({
    functionName: required(config.ingestFunctionName, "SALDO_INGEST_FUNCTION_NAME", "the ingest function"),
  });
  // Lost syncs (their worker died, or the API could not hand them over) are handed to their sync queue again.
  const syncs = config.syncQueueUrls === undefined ? undefined : createSyncDispatcher(config);
  return middy()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: EventBridgeSchema }))
    .handler(async () => {
      const report = await sweepImports({
        importStore,
        engagementStore,
        redelivery,
        ...(syncs ? { syncs } : {}),
        retentionSeconds: config.retentionSeconds,
        log: (message, fields) => logger.info(message, fields),
      });
      logger.info("sweep finished", {
        requeued: report.requeued.length,
        failed: report.failed.length,
        expiryFinished: report.expiryFinished.length,
        skipped: report.skipped.length,
        errors: report.errors.length,
      });
      if (report.errors.length > 0) throw new Error(`the sweep could not handle ${report.errors.length} import(s)`);
      return report;
    });
}

export const handler = lambdaEntry(createHandler);
