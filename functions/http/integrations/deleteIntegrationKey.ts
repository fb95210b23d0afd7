import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore, createKeyVault } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { deleteIntegrationKey } from "../../../lib/engagements/manageIntegrationKeys.ts";

/** `DELETE /clients/{clientId}/integrations/{system}`: idempotent (204 whether or not a key was set). */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  const keys = createKeyVault(config.keyVault);
  return httpHandler(ROUTES.deleteIntegrationKey, config, async ({ principal, path }) => {
    await deleteIntegrationKey({ engagementStore, keys }, { tenantId: principal.tenantId, ...path });
    return { status: 204 };
  });
}

export const handler = lambdaEntry(createHandler);
