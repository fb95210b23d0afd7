// The scheduled refresh and the sync queues: an EventBridge schedule → functions/schedule/refresh.ts, which sends each
// due engagement's queued sync to its accounting system's SQS queue → functions/sync/worker.ts (one worker per queue,
// its concurrency capped to keep the system under its rate limit). The API's sync route and the sweeper send to the
// same queues. See infra/config.ts SYNC_QUEUES, REFRESH_CONFIG.
import {
  REFRESH_CONFIG,
  REFRESH_PERMISSIONS,
  SYNC_DEAD_LETTERS_CONFIG,
  SYNC_DEAD_LETTERS_PERMISSIONS,
  secretPrefix,
  SYNC_QUEUE_CONFIG,
  SYNC_QUEUES,
  SYNC_WORKER_CONFIG,
  SYNC_WORKER_PERMISSIONS,
  functionSizing,
} from "./config.ts";
import { table } from "./storage.ts";
import { platformKeysSecret } from "./secrets.ts";

const clientKeysArn = $interpolate`arn:aws:secretsmanager:${aws.getRegionOutput().region}:${aws.getCallerIdentityOutput().accountId}:secret:${secretPrefix($app.stage)}/*`;

/** One queue (with its dead-letter queue) and one worker per accounting system. */
function syncQueue(system: keyof typeof SYNC_QUEUES) {
  const spec = SYNC_QUEUES[system];
  const deadLetters = new sst.aws.Queue(`${spec.name}DeadLetters`, {
    transform: {
      queue: (args) => {
        args.messageRetentionSeconds = SYNC_QUEUE_CONFIG.deadLetterRetentionSeconds;
        args.sqsManagedSseEnabled = true;
      },
    },
  });
  const queue = new sst.aws.Queue(spec.name, {
    visibilityTimeout: `${SYNC_QUEUE_CONFIG.visibilityTimeoutSeconds} seconds`,
    dlq: { queue: deadLetters.arn, retry: SYNC_QUEUE_CONFIG.maxReceiveCount },
    transform: {
      queue: (args) => {
        args.sqsManagedSseEnabled = true;
      },
    },
  });
  queue.subscribe(
    {
      handler: SYNC_WORKER_CONFIG.handler,
      ...functionSizing(SYNC_WORKER_CONFIG),
      // Names come through the environment and the messages; these grants are the function's only permissions.
      permissions: [
        { actions: [...SYNC_WORKER_PERMISSIONS.table], resources: [table.arn] },
        { actions: [...SYNC_WORKER_PERMISSIONS.clientKeys], resources: [clientKeysArn] },
        { actions: [...SYNC_WORKER_PERMISSIONS.platformKeys], resources: [platformKeysSecret.arn] },
        { actions: [...SYNC_WORKER_PERMISSIONS.queue], resources: [queue.arn] },
      ],
      environment: {
        SALDO_TABLE_NAME: table.name,
        SALDO_KEY_VAULT: "secrets-manager",
        SALDO_SECRET_PREFIX: secretPrefix($app.stage),
        SALDO_PLATFORM_KEYS_SECRET: platformKeysSecret.arn,
        SALDO_RETRY_PROFILE: "background",
        // The worker's share of the system's budget (infra/config.ts SYNC_QUEUES).
        ...(system === "poweroffice-go"
          ? { SALDO_POWEROFFICE_GO_REQUESTS_PER_SECOND: String(spec.requestsPerSecondPerWorker) }
          : { SALDO_TRIPLETEX_REQUESTS_PER_SECOND: String(spec.requestsPerSecondPerWorker) }),
        POWERTOOLS_SERVICE_NAME: SYNC_WORKER_CONFIG.powertools.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: SYNC_WORKER_CONFIG.powertools.metricsNamespace,
      },
      logging: { format: "json", retention: SYNC_WORKER_CONFIG.logRetention },
    },
    {
      batch: { size: SYNC_QUEUE_CONFIG.batchSize, partialResponses: true },
      transform: {
        eventSourceMapping: (args) => {
          args.scalingConfig = { maximumConcurrency: spec.maxConcurrency };
        },
      },
    },
  );
  // A message in the dead-letter queue is a sync whose every receive crashed: its outcome is recorded at once.
  deadLetters.subscribe(
    {
      handler: SYNC_DEAD_LETTERS_CONFIG.handler,
      ...functionSizing(SYNC_DEAD_LETTERS_CONFIG),
      permissions: [
        { actions: [...SYNC_DEAD_LETTERS_PERMISSIONS.table], resources: [table.arn] },
        { actions: [...SYNC_DEAD_LETTERS_PERMISSIONS.queue], resources: [deadLetters.arn] },
      ],
      environment: {
        SALDO_TABLE_NAME: table.name,
        SALDO_RETRY_PROFILE: "background",
        POWERTOOLS_SERVICE_NAME: SYNC_DEAD_LETTERS_CONFIG.powertools.serviceName,
      },
      logging: { format: "json", retention: SYNC_DEAD_LETTERS_CONFIG.logRetention },
    },
    { batch: { size: 1, partialResponses: true } },
  );
  return { queue, deadLetters };
}

export const syncQueues = {
  "poweroffice-go": syncQueue("poweroffice-go"),
  tripletex: syncQueue("tripletex"),
};

/** What a function needs to send syncs to the queues: their URLs and the grant on them alone. */
export const syncQueueEnvironment = {
  SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL: syncQueues["poweroffice-go"].queue.url,
  SALDO_SYNC_QUEUE_TRIPLETEX_URL: syncQueues.tripletex.queue.url,
};
export const syncQueueArns = [syncQueues["poweroffice-go"].queue.arn, syncQueues.tripletex.queue.arn];

export const refreshSchedule = new sst.aws.Cron("Refresh", {
  schedule: REFRESH_CONFIG.schedule,
  function: {
    handler: REFRESH_CONFIG.handler,
    ...functionSizing(REFRESH_CONFIG),
    retries: REFRESH_CONFIG.asyncRetries,
    permissions: [
      // The table, and its schedule index alone (the round's query reads its REFRESH partition).
      {
        actions: [...REFRESH_PERMISSIONS.table],
        resources: [table.arn, $interpolate`${table.arn}/index/${REFRESH_CONFIG.scheduleIndex}`],
      },
      { actions: [...REFRESH_PERMISSIONS.clientKeys], resources: [clientKeysArn] },
      { actions: [...REFRESH_PERMISSIONS.sendSync], resources: syncQueueArns },
    ],
    environment: {
      SALDO_TABLE_NAME: table.name,
      SALDO_KEY_VAULT: "secrets-manager",
      SALDO_SECRET_PREFIX: secretPrefix($app.stage),
      // A connector per system is what requestSync checks a client against; the round itself makes no request.
      SALDO_PLATFORM_KEYS_SECRET: platformKeysSecret.arn,
      SALDO_RETRY_PROFILE: "background",
      ...syncQueueEnvironment,
      POWERTOOLS_SERVICE_NAME: REFRESH_CONFIG.powertools.serviceName,
    },
    logging: { format: "json", retention: REFRESH_CONFIG.logRetention },
  },
});
