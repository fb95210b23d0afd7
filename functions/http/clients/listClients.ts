import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toClientJson } from "../../../lib/api/resourceJson.ts";
import { listClients } from "../../../lib/engagements/manageClients.ts";

/** `GET /clients`: the caller's clients (deleted ones hidden). */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  return httpHandler(ROUTES.listClients, config, async ({ principal }) => ({
    status: 200,
    body: { items: (await listClients({ engagementStore }, principal.tenantId)).map(toClientJson) },
  }));
}

export const handler = lambdaEntry(createHandler);
