import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore, createKeyVault } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { putIntegrationKey } from "../../../lib/engagements/manageIntegrationKeys.ts";
import { Secret } from "../../../lib/secrets/Secret.ts";

/** `PUT /clients/{clientId}/integrations/{system}`: stores the key (wrapped at once; never returned or logged). */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  const keys = createKeyVault(config.keyVault);
  return httpHandler(ROUTES.putIntegrationKey, config, async ({ principal, path, body }) => {
    const ref = { tenantId: principal.tenantId, ...path };
    const status = await putIntegrationKey({ engagementStore, keys }, ref, new Secret(body));
    return { status: 200, body: { system: path.system, ...status } };
  });
}

export const handler = lambdaEntry(createHandler);
