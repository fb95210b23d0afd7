import middy from "@middy/core";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { S3Schema } from "@aws-lambda-powertools/parser/schemas/s3";
import { importFile } from "../../lib/imports/importFile.ts";
import { createDynamoStores } from "../../lib/store/createDynamoStores.ts";
import { S3FileSource } from "../../lib/store/S3FileSource.ts";
import { readIngestEnvironment, s3ClientConfig } from "../shared/environment.ts";
import { importInputOf, recordImportMetrics } from "./ingestMappings.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readIngestEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-ingest" });
const metrics = new Metrics({ namespace: "saldo", serviceName: "saldo-ingest" });
const stores = createDynamoStores({
  tableName: env.tableName,
  clientConfig: { ...(env.dynamoEndpoint ? { endpoint: env.dynamoEndpoint } : {}) },
});
const files = new S3FileSource({ clientConfig: s3ClientConfig(env) });

/** S3 ObjectCreated under uploads/ → importFile. Unexpected errors propagate: Lambda retries, then the DLQ. */
export const handler = middy()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(parser({ schema: S3Schema }))
  .handler(async (event) => {
    const deps = {
      ...stores,
      files,
      retentionSeconds: env.retentionSeconds,
      log: (message: string, fields: Record<string, unknown>) => logger.info(message, fields),
    };
    for (const record of event.Records) {
      const started = Date.now();
      const result = await importFile(deps, importInputOf(record));
      recordImportMetrics(metrics, result, Date.now() - started);
    }
  });
