import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createEngagementStore } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toEngagementJson } from "../../../lib/api/resourceJson.ts";
import { listEngagements } from "../../../lib/engagements/manageEngagements.ts";

/** `GET /clients/{clientId}/engagements` */
export function createHandler(config: FunctionConfig) {
  const engagementStore = createEngagementStore(config);
  return httpHandler(ROUTES.listEngagements, config, async ({ principal, path }) => ({
    status: 200,
    body: {
      items: (await listEngagements({ engagementStore }, { tenantId: principal.tenantId, ...path })).map(
        toEngagementJson,
      ),
    },
  }));
}

export const handler = lambdaEntry(createHandler);
