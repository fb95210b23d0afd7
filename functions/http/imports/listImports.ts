import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { listImportSummaries } from "../../../lib/imports/importReports.ts";

/** `GET …/engagements/{engagementId}/imports?limit=&cursor=`: one page, newest first, the active one marked. */
export function createHandler(config: FunctionConfig) {
  const stores = createStores(config);
  return httpHandler(ROUTES.listImports, config, async ({ principal, path, query }) => ({
    status: 200,
    body: await listImportSummaries(stores, { tenantId: principal.tenantId, ...path }, query),
  }));
}

export const handler = lambdaEntry(createHandler);
