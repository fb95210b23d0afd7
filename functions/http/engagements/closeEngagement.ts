import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toEngagementJson } from "../../../lib/api/resourceJson.ts";
import { getEngagementReconciliation } from "../../../lib/imports/engagementReconciliation.ts";
import { closeEngagement } from "../../../lib/engagements/manageEngagements.ts";

/** `POST /clients/{clientId}/engagements/{engagementId}/close` */
export function createHandler(config: FunctionConfig) {
  const stores = createStores(config);
  return httpHandler(ROUTES.closeEngagement, config, async ({ principal, path }) => {
    const ref = { tenantId: principal.tenantId, ...path };
    const engagement = await closeEngagement(stores, ref);
    return { status: 200, body: toEngagementJson(engagement, await getEngagementReconciliation(stores, ref)) };
  });
}

export const handler = lambdaEntry(createHandler);
