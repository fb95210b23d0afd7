// The ingest function: S3 ObjectCreated under uploads/ → functions/s3/ingest.ts → the table. See infra/config.ts.
import { INGEST_CONFIG, INGEST_PERMISSIONS, STORAGE_CONFIG } from "./config.ts";
import { table, uploadsBucket } from "./storage.ts";

/** Events that still fail after the asynchronous retries, with the error, kept for inspection and replay. */
export const ingestDeadLetterQueue = new sst.aws.Queue("IngestDeadLetters", {
  transform: {
    queue: (args) => {
      args.messageRetentionSeconds = INGEST_CONFIG.deadLetterRetentionSeconds;
      args.sqsManagedSseEnabled = true;
    },
  },
});

// Links carry the names to the handler (`Resource.IngestUploads.name`, `Resource.IngestTable.name`) together with
// exactly the grants below; linking the bucket and table themselves would grant s3:* and dynamodb:*.
const ingestUploads = new sst.Linkable("IngestUploads", {
  properties: {
    name: uploadsBucket.name,
    uploadsPrefix: STORAGE_CONFIG.uploadsPrefix,
    rejectedPrefix: STORAGE_CONFIG.rejectedPrefix,
  },
  include: [
    sst.aws.permission({
      actions: [...INGEST_PERMISSIONS.readUploads, ...INGEST_PERMISSIONS.tagUploads],
      resources: [$interpolate`${uploadsBucket.arn}/${STORAGE_CONFIG.uploadsPrefix}*`],
    }),
    sst.aws.permission({
      actions: [...INGEST_PERMISSIONS.writeRejected],
      resources: [$interpolate`${uploadsBucket.arn}/${STORAGE_CONFIG.rejectedPrefix}*`],
    }),
    sst.aws.permission({ actions: [...INGEST_PERMISSIONS.listBucket], resources: [uploadsBucket.arn] }),
  ],
});

const ingestTable = new sst.Linkable("IngestTable", {
  properties: { name: table.name },
  include: [
    sst.aws.permission({
      actions: [...INGEST_PERMISSIONS.table],
      resources: [table.arn, $interpolate`${table.arn}/index/*`],
    }),
  ],
});

export const ingestFunction = new sst.aws.Function("Ingest", {
  // Written by the lead (functions/s3/ingest.ts); a thin middy handler per STYLE.md §2.
  handler: INGEST_CONFIG.handler,
  runtime: INGEST_CONFIG.runtime,
  architecture: INGEST_CONFIG.architecture,
  memory: `${INGEST_CONFIG.memoryMb} MB`,
  timeout: `${INGEST_CONFIG.timeoutSeconds} seconds`,
  storage: `${INGEST_CONFIG.ephemeralStorageMb} MB`,
  retries: INGEST_CONFIG.asyncRetries,
  link: [ingestUploads, ingestTable],
  permissions: [{ actions: [...INGEST_PERMISSIONS.deadLetter], resources: [ingestDeadLetterQueue.arn] }],
  environment: {
    // functions/shared/environment.ts reads the table name from here (the link grants the access).
    SALDO_TABLE_NAME: table.name,
    POWERTOOLS_SERVICE_NAME: INGEST_CONFIG.powertools.serviceName,
    POWERTOOLS_METRICS_NAMESPACE: INGEST_CONFIG.powertools.metricsNamespace,
  },
  logging: { format: "json", retention: INGEST_CONFIG.logRetention },
  transform: {
    eventInvokeConfig: (args) => {
      args.destinationConfig = { onFailure: { destination: ingestDeadLetterQueue.arn } };
    },
  },
});

uploadsBucket.notify({
  notifications: [
    {
      name: "IngestUploads",
      function: ingestFunction.arn,
      events: [...INGEST_CONFIG.events],
      filterPrefix: INGEST_CONFIG.filterPrefix,
    },
  ],
});
