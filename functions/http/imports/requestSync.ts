import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { startSync } from "../../../lib/imports/syncFromApi.ts";
import { createConnectors, createKeyVault, createStores, createSyncDispatcher } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/**
 * `POST …/engagements/{engagementId}/sync`: queues a sync of the engagement's period and hands it to the sync
 * function (an asynchronous Invoke); answers 202 with the import to follow.
 */
export function createHandler(config: FunctionConfig) {
  const logger = new Logger({ serviceName: "saldo-api" });
  const deps = {
    ...createStores(config),
    keys: createKeyVault(config.keyVault),
    connectors: createConnectors(config),
    syncs: createSyncDispatcher(config),
    retentionSeconds: config.retentionSeconds,
    log: (message: string, fields: Record<string, unknown>) => logger.info(message, fields),
  };
  return httpHandler(ROUTES.requestSync, { ...config, logger }, async ({ principal, path }) => {
    const ref = { tenantId: principal.tenantId, ...path };
    const run = await startSync(deps, ref, { kind: "http", by: principal.subject });
    const href = `/clients/${run.clientId}/engagements/${run.engagementId}/imports/${run.importId}`;
    return {
      status: 202,
      headers: { location: href },
      body: { importId: run.importId, status: "queued" as const, href },
    };
  });
}

export const handler = lambdaEntry(createHandler);
