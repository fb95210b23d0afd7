// The ingest function: S3 ObjectCreated under uploads/ → functions/s3/ingest.ts → the table. See infra/config.ts.
import { INGEST_CONFIG, INGEST_PERMISSIONS, STORAGE_CONFIG, functionSizing } from "./config.ts";
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

export const ingestFunction = new sst.aws.Function("Ingest", {
  handler: INGEST_CONFIG.handler,
  ...functionSizing(INGEST_CONFIG),
  storage: `${INGEST_CONFIG.ephemeralStorageMb} MB`,
  retries: INGEST_CONFIG.asyncRetries,
  // Names come through the environment and the S3 event; these grants are the function's only permissions (no `link`,
  // which would grant s3:* and dynamodb:*). The table has no index the ingest reads.
  permissions: [
    {
      actions: [...INGEST_PERMISSIONS.readUploads],
      resources: [$interpolate`${uploadsBucket.arn}/${STORAGE_CONFIG.uploadsPrefix}*`],
    },
    {
      actions: [...INGEST_PERMISSIONS.writeRejected],
      resources: [$interpolate`${uploadsBucket.arn}/${STORAGE_CONFIG.rejectedPrefix}*`],
    },
    { actions: [...INGEST_PERMISSIONS.listBucket], resources: [uploadsBucket.arn] },
    { actions: [...INGEST_PERMISSIONS.table], resources: [table.arn] },
    { actions: [...INGEST_PERMISSIONS.deadLetter], resources: [ingestDeadLetterQueue.arn] },
  ],
  environment: {
    // functions/shared/environment.ts reads the table name from here.
    SALDO_TABLE_NAME: table.name,
    // The long SDK retry budget (adaptive): an import outlasts sustained throttling instead of failing.
    SALDO_RETRY_PROFILE: "background",
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
