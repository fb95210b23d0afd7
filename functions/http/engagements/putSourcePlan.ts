import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { setSourcePlan, toSourcePlanJson } from "../../../lib/imports/sourcePlanView.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/** `PUT …/engagements/{engagementId}/source-plan`: chooses the plan; the movement import switches in the same write. */
export function createHandler(config: FunctionConfig) {
  const stores = createStores(config);
  return httpHandler(ROUTES.putSourcePlan, config, async ({ principal, path, body }) => ({
    status: 200,
    body: toSourcePlanJson(await setSourcePlan(stores, { tenantId: principal.tenantId, ...path }, body)),
  }));
}

export const handler = lambdaEntry(createHandler);
