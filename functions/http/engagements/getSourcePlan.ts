import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { getSourcePlan, toSourcePlanJson } from "../../../lib/imports/sourcePlanView.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/** `GET …/engagements/{engagementId}/source-plan`: the plan, who chose each part, and the import each part uses. */
export function createHandler(config: FunctionConfig) {
  const stores = createStores(config);
  return httpHandler(ROUTES.getSourcePlan, config, async ({ principal, path }) => ({
    status: 200,
    body: toSourcePlanJson(await getSourcePlan(stores, { tenantId: principal.tenantId, ...path })),
  }));
}

export const handler = lambdaEntry(createHandler);
