import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { compareImports } from "../../../lib/imports/compareImports.ts";
import { toImportComparisonJson } from "../../../lib/imports/importViews.ts";

/** `GET …/imports/{importId}/compare?with={otherImportId}`: accounts whose figures differ, before and after. */
export function createHandler(config: FunctionConfig) {
  const stores = createStores(config);
  return httpHandler(ROUTES.compareImports, config, async ({ principal, path, query }) => ({
    status: 200,
    body: toImportComparisonJson(await compareImports(stores, { tenantId: principal.tenantId, ...path }, query.with)),
  }));
}

export const handler = lambdaEntry(createHandler);
