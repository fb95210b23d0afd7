import { ROUTES } from "../../../lib/api/routes.ts";
import { toIntegrationJson } from "../../../lib/api/resourceJson.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { recheckIntegration } from "../../../lib/imports/integrationConnection.ts";
import { createConnectors, createEngagementStore, createKeyVault } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/** `POST /clients/{clientId}/integrations/{system}/check`: checks the stored key live and records the connection. */
export function createHandler(config: FunctionConfig) {
  const deps = {
    engagementStore: createEngagementStore(config),
    keys: createKeyVault(config.keyVault),
    connectors: createConnectors(config),
  };
  return httpHandler(ROUTES.checkIntegration, config, async ({ principal, path }) => ({
    status: 200,
    body: toIntegrationJson(await recheckIntegration(deps, { tenantId: principal.tenantId, ...path })),
  }));
}

export const handler = lambdaEntry(createHandler);
