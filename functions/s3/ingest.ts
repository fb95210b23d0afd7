import middy from "@middy/core";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { S3Schema } from "@aws-lambda-powertools/parser/schemas/s3";
import { importFile } from "../../lib/imports/importFile.ts";
import { decodeS3EventKey } from "../../lib/local/s3EventNotification.ts";
import { DynamoLedgerStore } from "../../lib/store/DynamoLedgerStore.ts";
import { S3FileSource } from "../../lib/store/S3FileSource.ts";
import { readIngestEnvironment, s3ClientConfig } from "../shared/environment.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readIngestEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-ingest" });
const metrics = new Metrics({ namespace: "saldo", serviceName: "saldo-ingest" });
const store = new DynamoLedgerStore({
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
    for (const record of event.Records) {
      const started = Date.now();
      const key = decodeS3EventKey(record.s3.object.key);
      const result = await importFile(
        {
          store,
          files,
          retentionSeconds: env.retentionSeconds,
          log: (message, fields) => logger.info(message, fields),
        },
        {
          bucket: record.s3.bucket.name,
          key,
          eventTime: record.eventTime,
          trigger: { kind: "s3-event", by: record.responseElements["x-amz-request-id"] },
          ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}),
          ...(record.s3.object.eTag ? { etag: record.s3.object.eTag } : {}),
          ...(record.s3.object.size !== undefined ? { size: record.s3.object.size } : {}),
          ...(record.s3.object.sequencer ? { sequencer: record.s3.object.sequencer } : {}),
        },
      );
      metrics.addMetric(`files_${result.outcome}`, MetricUnit.Count, 1);
      if (result.outcome === "imported") {
        metrics.addMetric("bytes", MetricUnit.Bytes, result.bytesRead);
        metrics.addMetric("lines", MetricUnit.Count, result.run.counts?.lines ?? 0);
        metrics.addMetric("items_written", MetricUnit.Count, result.written.items);
      }
      if (result.outcome === "failed") metrics.addMetric("failures", MetricUnit.Count, 1);
      metrics.addMetric("duration", MetricUnit.Milliseconds, Date.now() - started);
    }
  });
