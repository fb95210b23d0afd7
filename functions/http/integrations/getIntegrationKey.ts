import { ROUTES } from "../../../lib/api/routes.ts";
import { toIntegrationJson } from "../../../lib/api/resourceJson.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { getIntegration } from "../../../lib/imports/integrationConnection.ts";
import { createEngagementStore, createKeyVault } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/**
 * `GET /clients/{clientId}/integrations/{system}`: whether a key is set (masked to the last 4 characters), when set
 * and used, the bound company and the connection as last seen. Reads no key value and calls no accounting system.
 */
export function createHandler(config: FunctionConfig) {
  const deps = {
    engagementStore: createEngagementStore(config),
    keys: createKeyVault(config.keyVault),
    connectors: {},
  };
  return httpHandler(ROUTES.getIntegrationKey, config, async ({ principal, path }) => ({
    status: 200,
    body: toIntegrationJson(await getIntegration(deps, { tenantId: principal.tenantId, ...path })),
  }));
}

export const handler = lambdaEntry(createHandler);
