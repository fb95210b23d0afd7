import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { getReconciliationPage } from "../../../lib/imports/engagementReconciliation.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/** `GET …/engagements/{engagementId}/reconciliation`: the reconciliation across years and sources, a page of differences at a time. */
export function createHandler(config: FunctionConfig) {
  const logger = new Logger({ serviceName: "saldo-api" });
  const deps = {
    ...createStores(config),
    log: (message: string, fields: Record<string, unknown>) => logger.warn(message, fields),
  };
  return httpHandler(ROUTES.getReconciliation, { ...config, logger }, async ({ principal, path, query }) => ({
    status: 200,
    body: await getReconciliationPage(deps, { tenantId: principal.tenantId, ...path }, query),
  }));
}

export const handler = lambdaEntry(createHandler);
