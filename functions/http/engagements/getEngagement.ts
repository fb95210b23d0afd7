import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toEngagementJson } from "../../../lib/api/resourceJson.ts";
import { getEngagement } from "../../../lib/engagements/manageEngagements.ts";

/** `GET /clients/{clientId}/engagements/{engagementId}` */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  return httpHandler(ROUTES.getEngagement, config, async ({ principal, path }) => ({
    status: 200,
    body: toEngagementJson(await getEngagement({ engagementStore }, { tenantId: principal.tenantId, ...path })),
  }));
}

export const handler = lambdaEntry(createHandler);
