import { ROUTES } from "../../../lib/api/routes.ts";
import { toCompaniesJson } from "../../../lib/api/resourceJson.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { listIntegrationCompanies } from "../../../lib/imports/integrationConnection.ts";
import { createConnectors, createEngagementStore, createKeyVault } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/** `GET /clients/{clientId}/integrations/tripletex/companies`: the companies the client's Tripletex key may log into. */
export function createHandler(config: FunctionConfig) {
  const deps = {
    engagementStore: createEngagementStore(config),
    keys: createKeyVault(config.keyVault),
    connectors: createConnectors(config),
  };
  return httpHandler(ROUTES.listTripletexCompanies, config, async ({ principal, path }) => ({
    status: 200,
    body: toCompaniesJson(
      "tripletex",
      await listIntegrationCompanies(deps, { tenantId: principal.tenantId, ...path, system: "tripletex" }),
    ),
  }));
}

export const handler = lambdaEntry(createHandler);
