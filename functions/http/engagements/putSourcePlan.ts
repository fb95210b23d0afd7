import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { setSourcePlan, toSourcePlanJson } from "../../../lib/imports/sourcePlanView.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/** `PUT …/engagements/{engagementId}/source-plan`: chooses the plan; the movement import switches in the same write. */
export function createHandler(config: FunctionConfig) {
  const logger = new Logger({ serviceName: "saldo-api" });
  const deps = {
    ...createStores(config),
    // A reconciliation that could not be computed again after the change is logged; the change stands.
    log: (message: string, fields: Record<string, unknown>) => logger.warn(message, fields),
  };
  return httpHandler(ROUTES.putSourcePlan, { ...config, logger }, async ({ principal, path, body }) => ({
    status: 200,
    body: toSourcePlanJson(await setSourcePlan(deps, { tenantId: principal.tenantId, ...path }, body)),
  }));
}

export const handler = lambdaEntry(createHandler);
