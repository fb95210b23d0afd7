import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore, createKeyVault } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { deleteClient } from "../../../lib/engagements/manageClients.ts";

/** `DELETE /clients/{clientId}`: soft delete; the client's integration keys are removed. */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  const keys = createKeyVault(config.keyVault);
  return httpHandler(ROUTES.deleteClient, config, async ({ principal, path }) => {
    await deleteClient({ engagementStore, keys }, { tenantId: principal.tenantId, ...path });
    return { status: 204 };
  });
}

export const handler = lambdaEntry(createHandler);
