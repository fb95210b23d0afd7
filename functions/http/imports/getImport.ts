import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { getImportReport } from "../../../lib/imports/importReports.ts";

/** `GET …/imports/{importId}`: the import with its full validation report. */
export function createHandler(config: FunctionConfig) {
  const stores = createStores(config);
  return httpHandler(ROUTES.getImport, config, async ({ principal, path }) => ({
    status: 200,
    body: await getImportReport(stores, { tenantId: principal.tenantId, ...path }),
  }));
}

export const handler = lambdaEntry(createHandler);
