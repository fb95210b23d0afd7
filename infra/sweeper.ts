// The import sweeper: on a schedule, functions/schedule/sweepImports.ts finishes what dead ingest attempts left behind
// (re-queue + re-delivery to the ingest function, or failure; unfinished data expiry) and hands lost syncs to their
// sync queue again. See infra/config.ts.
import { SWEEPER_CONFIG, SWEEPER_PERMISSIONS, functionSizing } from "./config.ts";
import { ingestFunction } from "./ingest.ts";
import { table } from "./storage.ts";
import { syncQueueArns, syncQueueEnvironment } from "./schedule.ts";

export const importSweeper = new sst.aws.Cron("ImportSweeper", {
  schedule: SWEEPER_CONFIG.schedule,
  function: {
    handler: SWEEPER_CONFIG.handler,
    ...functionSizing(SWEEPER_CONFIG),
    retries: SWEEPER_CONFIG.asyncRetries,
    // Names only; these grants are the function's only permissions (no `link`, which would grant dynamodb:*).
    permissions: [
      // The table, and its sweeper index (gsi1) alone: the sweep's query reads nothing else.
      {
        actions: [...SWEEPER_PERMISSIONS.table],
        resources: [table.arn, $interpolate`${table.arn}/index/${SWEEPER_CONFIG.sweepIndex}`],
      },
      { actions: [...SWEEPER_PERMISSIONS.invokeIngest], resources: [ingestFunction.arn] },
      { actions: [...SWEEPER_PERMISSIONS.sendSync], resources: syncQueueArns },
    ],
    environment: {
      SALDO_TABLE_NAME: table.name,
      SALDO_INGEST_FUNCTION_NAME: ingestFunction.name,
      ...syncQueueEnvironment,
      SALDO_RETRY_PROFILE: "background",
      POWERTOOLS_SERVICE_NAME: SWEEPER_CONFIG.powertools.serviceName,
    },
    logging: { format: "json", retention: SWEEPER_CONFIG.logRetention },
  },
});
