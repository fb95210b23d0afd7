import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toTrialBalanceViewJson } from "../../../lib/imports/importViews.ts";
import { getTrialBalanceView } from "../../../lib/imports/trialBalanceView.ts";
import { negotiateLocale, negotiateRepresentation } from "../shared/negotiate.ts";
import { trialBalanceExportAnswer } from "./exportAnswers.ts";

/**
 * `GET …/engagements/{engagementId}/trial-balance`: the active version, as `saldo inspect --json` plus provenance;
 * CSV or XLSX when `Accept` asks for them.
 */
export function createHandler(config: FunctionConfig) {
  const stores = createStores(config);
  return httpHandler(ROUTES.getTrialBalance, config, async ({ principal, path, headers }) => {
    const representation = negotiateRepresentation(headers, ["json", "csv", "xlsx"]);
    const view = await getTrialBalanceView(stores, { tenantId: principal.tenantId, ...path });
    if (representation === "json") return { status: 200, body: toTrialBalanceViewJson(view) };
    return trialBalanceExportAnswer(view, representation, negotiateLocale(headers));
  });
}

export const handler = lambdaEntry(createHandler);
