import middy from "@middy/core";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { S3Schema } from "@aws-lambda-powertools/parser/schemas/s3";
import type { FunctionConfig } from "../../lib/config/functionConfig.ts";
import { importFile } from "../../lib/imports/importFile.ts";
import { createDynamoStores } from "../../lib/store/createDynamoStores.ts";
import { S3FileSource } from "../../lib/store/S3FileSource.ts";
import { lambdaEntry } from "../shared/environment.ts";
import { importInputOf, recordImportMetrics } from "./ingestMappings.ts";

/**
 * S3 ObjectCreated under uploads/ → importFile. Unexpected errors propagate: Lambda retries, then the DLQ.
 *
 * Composition root (STYLE.md §3): the logger, metrics, store and file source are created once per handler, that is
 * once per container in Lambda (`handler`), once per stack locally.
 */
export function createHandler(config: FunctionConfig) {
  const logger = new Logger({ serviceName: "saldo-ingest" });
  const metrics = new Metrics({ namespace: "saldo", serviceName: "saldo-ingest" });
  const stores = createDynamoStores({ tableName: config.tableName, clientConfig: config.dynamoClientConfig });
  const files = new S3FileSource({ clientConfig: config.s3ClientConfig });
  const deps = {
    ...stores,
    files,
    retentionSeconds: config.retentionSeconds,
    log: (message: string, fields: Record<string, unknown>) => logger.info(message, fields),
  };
  const handler = middy().use(injectLambdaContext(logger));
  if (config.emitMetrics) handler.use(logMetrics(metrics));
  return handler.use(parser({ schema: S3Schema })).handler(async (event) => {
    for (const record of event.Records) {
      const started = Date.now();
      const result = await importFile(deps, importInputOf(record));
      if (config.emitMetrics) recordImportMetrics(metrics, result, Date.now() - started);
    }
  });
}

export const handler = lambdaEntry(createHandler);
