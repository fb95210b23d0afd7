import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toClientJson } from "../../../lib/api/resourceJson.ts";
import { updateClient } from "../../../lib/engagements/manageClients.ts";

/** `PATCH /clients/{clientId}` */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  return httpHandler(ROUTES.updateClient, config, async ({ principal, path, body }) => ({
    status: 200,
    body: toClientJson(await updateClient({ engagementStore }, { tenantId: principal.tenantId, ...path }, body)),
  }));
}

export const handler = lambdaEntry(createHandler);
