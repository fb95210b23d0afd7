import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toEngagementJson } from "../../../lib/api/resourceJson.ts";
import { listEngagementsWithReconciliation } from "../../../lib/imports/engagementReconciliation.ts";

/** `GET /clients/{clientId}/engagements`, each with the summary of its reconciliation. */
export function createHandler(config: FunctionConfig) {
  const stores = createStores(config);
  return httpHandler(ROUTES.listEngagements, config, async ({ principal, path }) => {
    const items = await listEngagementsWithReconciliation(stores, { tenantId: principal.tenantId, ...path });
    return {
      status: 200,
      body: { items: items.map(({ engagement, reconciliation }) => toEngagementJson(engagement, reconciliation)) },
    };
  });
}

export const handler = lambdaEntry(createHandler);
