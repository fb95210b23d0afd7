import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toClientJson } from "../../../lib/api/resourceJson.ts";
import { getClient } from "../../../lib/engagements/manageClients.ts";

/** `GET /clients/{clientId}` */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  return httpHandler(ROUTES.getClient, config, async ({ principal, path }) => ({
    status: 200,
    body: toClientJson(await getClient({ engagementStore }, { tenantId: principal.tenantId, ...path })),
  }));
}

export const handler = lambdaEntry(createHandler);
