import { ROUTES } from "../../../lib/api/routes.ts";
import { toIntegrationJson } from "../../../lib/api/resourceJson.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { storeIntegrationKey } from "../../../lib/imports/integrationConnection.ts";
import { Secret } from "../../../lib/secrets/Secret.ts";
import { createConnectors, createEngagementStore, createKeyVault } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/**
 * `PUT /clients/{clientId}/integrations/{system}`: stores the key (wrapped at once; never returned or logged), checks
 * it with the system and records the connection's status.
 */
export function createHandler(config: FunctionConfig) {
  const deps = {
    engagementStore: createEngagementStore(config),
    keys: createKeyVault(config.keyVault),
    connectors: createConnectors(config),
  };
  return httpHandler(ROUTES.putIntegrationKey, config, async ({ principal, path, body }) => ({
    status: 200,
    body: toIntegrationJson(
      await storeIntegrationKey(deps, { tenantId: principal.tenantId, ...path }, new Secret(body)),
    ),
  }));
}

export const handler = lambdaEntry(createHandler);
