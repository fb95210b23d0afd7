import type { Metrics } from "@aws-lambda-powertools/metrics";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { S3Schema } from "@aws-lambda-powertools/parser/schemas/s3";
import type { z } from "zod";
import type { ImportFileInput, ImportFileResult } from "../../lib/imports/importFile.ts";
import { decodeS3EventKey } from "../../lib/imports/s3EventKey.ts";

type S3EventRecord = z.infer<typeof S3Schema>["Records"][number];

/** One S3 event record as importFile's input: the decoded key, and the version, etag, size and sequencer S3 sent. */
export function importInputOf(record: S3EventRecord): ImportFileInput {
  const object = record.s3.object;
  return {
    bucket: record.s3.bucket.name,
    key: decodeS3EventKey(object.key),
    eventTime: record.eventTime,
    trigger: { kind: "s3-event", by: record.responseElements["x-amz-request-id"] },
    ...(object.versionId ? { versionId: object.versionId } : {}),
    ...(object.eTag ? { etag: object.eTag } : {}),
    ...(object.size !== undefined ? { size: object.size } : {}),
    ...(object.sequencer ? { sequencer: object.sequencer } : {}),
  };
}

/** Metrics of one handled upload: files by outcome, bytes, lines and items written, failures, duration. */
export function recordImportMetrics(metrics: Metrics, result: ImportFileResult, durationMs: number): void {
  metrics.addMetric(`files_${result.outcome}`, MetricUnit.Count, 1);
  if (result.outcome === "imported" || result.outcome === "held") {
    metrics.addMetric("bytes", MetricUnit.Bytes, result.bytesRead);
    metrics.addMetric("lines", MetricUnit.Count, result.run.counts?.lines ?? 0);
    metrics.addMetric("items_written", MetricUnit.Count, result.written.items);
  }
  if (result.outcome === "failed") metrics.addMetric("failures", MetricUnit.Count, 1);
  metrics.addMetric("duration", MetricUnit.Milliseconds, durationMs);
}
