import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toEngagementJson } from "../../../lib/api/resourceJson.ts";
import { getEngagementWithReconciliation } from "../../../lib/imports/engagementReconciliation.ts";

/** `GET /clients/{clientId}/engagements/{engagementId}`, with the summary of its reconciliation. */
export function createHandler(config: FunctionConfig) {
  const stores = createStores(config);
  return httpHandler(ROUTES.getEngagement, config, async ({ principal, path }) => {
    const { engagement, reconciliation } = await getEngagementWithReconciliation(stores, {
      tenantId: principal.tenantId,
      ...path,
    });
    return { status: 200, body: toEngagementJson(engagement, reconciliation) };
  });
}

export const handler = lambdaEntry(createHandler);
