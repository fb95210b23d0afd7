import middy from "@middy/core";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import { sweepImports } from "../../lib/imports/sweepImports.ts";
import { DynamoImportStore } from "../../lib/store/DynamoImportStore.ts";
import { LambdaIngestRedelivery } from "../../lib/store/LambdaIngestRedelivery.ts";
import { SweeperEnvironmentSchema } from "../shared/environment.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = SweeperEnvironmentSchema.parse(process.env);
const logger = new Logger({ serviceName: "saldo-sweeper" });
const importStore = new DynamoImportStore({ tableName: env.tableName });
const redelivery = new LambdaIngestRedelivery({ functionName: env.ingestFunctionName });

/**
 * Scheduled (infra/sweeper.ts) → sweepImports: dead attempts re-queued and re-delivered or failed, unfinished data
 * expiry finished. Fails the invocation when an import could not be handled, so that it shows in the function's
 * errors; the next sweep handles it again.
 */
export const handler = middy()
  .use(injectLambdaContext(logger))
  .use(parser({ schema: EventBridgeSchema }))
  .handler(async () => {
    const report = await sweepImports({
      importStore,
      redelivery,
      retentionSeconds: env.retentionSeconds,
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
