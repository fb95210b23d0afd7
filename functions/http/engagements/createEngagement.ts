import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toEngagementJson } from "../../../lib/api/resourceJson.ts";
import { createEngagement } from "../../../lib/engagements/manageEngagements.ts";

/** `POST /clients/{clientId}/engagements`: a year-end or period-end engagement with a generated id. */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  return httpHandler(ROUTES.createEngagement, config, async ({ principal, path, body }) => ({
    status: 201,
    body: toEngagementJson(
      await createEngagement({ engagementStore }, { tenantId: principal.tenantId, ...path }, body),
      null,
    ),
  }));
}

export const handler = lambdaEntry(createHandler);
