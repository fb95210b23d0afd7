import { ROUTES } from "../../../lib/api/routes.ts";
import { toIntegrationJson } from "../../../lib/api/resourceJson.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { bindIntegrationCompany } from "../../../lib/imports/integrationConnection.ts";
import { createConnectors, createEngagementStore, createKeyVault } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/**
 * `PUT /clients/{clientId}/integrations/tripletex/company`: binds the client to a company its Tripletex key may log
 * into (refused with INTEGRATION_COMPANY_UNREACHABLE otherwise), then checks the connection as bound.
 */
export function createHandler(config: FunctionConfig) {
  const deps = {
    engagementStore: createEngagementStore(config),
    keys: createKeyVault(config.keyVault),
    connectors: createConnectors(config),
  };
  return httpHandler(ROUTES.bindTripletexCompany, config, async ({ principal, path, body }) => ({
    status: 200,
    body: toIntegrationJson(
      await bindIntegrationCompany(
        deps,
        { tenantId: principal.tenantId, ...path, system: "tripletex" },
        body.companyId,
      ),
    ),
  }));
}

export const handler = lambdaEntry(createHandler);
