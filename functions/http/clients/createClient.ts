import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toClientJson } from "../../../lib/api/resourceJson.ts";
import { createClient } from "../../../lib/engagements/manageClients.ts";

/** `POST /clients`: creates a client of the caller's tenant with a generated id. */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  return httpHandler(ROUTES.createClient, config, async ({ principal, body }) => ({
    status: 201,
    body: toClientJson(await createClient({ engagementStore }, { tenantId: principal.tenantId, ...body })),
  }));
}

export const handler = lambdaEntry(createHandler);
