import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore, createKeyVault } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { getIntegrationKeyStatus } from "../../../lib/engagements/manageIntegrationKeys.ts";

/** `GET /clients/{clientId}/integrations/{system}`: set or not, masked to the last 4 characters, when set and used. */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  const keys = createKeyVault(config.keyVault);
  return httpHandler(ROUTES.getIntegrationKey, config, async ({ principal, path }) => ({
    status: 200,
    body: {
      system: path.system,
      ...(await getIntegrationKeyStatus({ engagementStore, keys }, { tenantId: principal.tenantId, ...path })),
    },
  }));
}

export const handler = lambdaEntry(createHandler);
