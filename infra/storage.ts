// The uploads bucket and the single table. See infra/config.ts for the why of each setting.
import { PROTECTED_STAGES, STORAGE_CONFIG } from "./config.ts";

const isProtectedStage = PROTECTED_STAGES.includes($app.stage);

/**
 * Uploads: private (SST blocks all public access unless `access` is set, and its bucket policy denies plain HTTP),
 * versioned (every upload of a key stays retrievable; imports record the version they read), encrypted at rest.
 */
export const uploadsBucket = new sst.aws.Bucket("Uploads", {
  versioning: true,
  // No browser access yet; presigned uploads from web clients (issue #4) will set allowed origins per stage.
  cors: false,
  transform: {
    // SST empties and deletes buckets on `sst remove`; never for a protected stage's uploads.
    bucket: (args) => {
      args.forceDestroy = !isProtectedStage;
    },
  },
});

/** SSE-S3 with a bucket key: no KMS key to manage, no kms:* grants needed by readers. */
new aws.s3.BucketServerSideEncryptionConfiguration("UploadsEncryption", {
  bucket: uploadsBucket.name,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
});

/** Abandoned multipart uploads are aborted (STORAGE_CONFIG.uploadsLifecycleRules says why and when). */
new aws.s3.BucketLifecycleConfiguration("UploadsLifecycle", {
  bucket: uploadsBucket.name,
  rules: STORAGE_CONFIG.uploadsLifecycleRules.map((rule) => ({ ...rule })),
});

const { table: tableConfig } = STORAGE_CONFIG;

/** The single table (lib/store/tableSpec.ts): on-demand, point-in-time recovery, TTL for superseded versions. */
export const table = new sst.aws.Dynamo("Table", {
  fields: Object.fromEntries(
    [
      tableConfig.partitionKey,
      tableConfig.sortKey,
      ...tableConfig.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ].map((name) => [name, "string" as const]),
  ),
  primaryIndex: { hashKey: tableConfig.partitionKey, rangeKey: tableConfig.sortKey },
  globalIndexes: Object.fromEntries(
    tableConfig.globalIndexes.map((index) => [
      index.name,
      { hashKey: index.partitionKey, rangeKey: index.sortKey, projection: index.projection },
    ]),
  ),
  ttl: tableConfig.ttlAttribute,
  deletionProtection: isProtectedStage,
  transform: {
    table: (args) => {
      // On-demand and PITR are SST's defaults today; stated here so a change of default cannot drop them.
      args.billingMode = "PAY_PER_REQUEST";
      args.pointInTimeRecovery = { enabled: tableConfig.pointInTimeRecovery };
    },
  },
});
