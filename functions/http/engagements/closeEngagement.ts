import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toEngagementJson } from "../../../lib/api/resourceJson.ts";
import { closeEngagement } from "../../../lib/engagements/manageEngagements.ts";

/** `POST /clients/{clientId}/engagements/{engagementId}/close` */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  return httpHandler(ROUTES.closeEngagement, config, async ({ principal, path }) => ({
    status: 200,
    body: toEngagementJson(await closeEngagement({ engagementStore }, { tenantId: principal.tenantId, ...path })),
  }));
}

export const handler = lambdaEntry(createHandler);
