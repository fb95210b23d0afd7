import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toTransactionLinesPageJson } from "../../../lib/imports/importViews.ts";
import { listTransactionLines } from "../../../lib/imports/listTransactionLines.ts";
import { negotiateLocale, negotiateRepresentation } from "../shared/negotiate.ts";
import { transactionLinesCsvPageAnswer, transactionLinesXlsxAnswer } from "./exportAnswers.ts";

/**
 * `GET …/engagements/{engagementId}/transactions`: one item per line of the active version, filtered and paged; a page
 * of CSV, or every filtered line as one XLSX, when `Accept` asks for them.
 */
export function createHandler(config: FunctionConfig) {
  const stores = createStores(config);
  return httpHandler(ROUTES.listTransactions, config, async ({ principal, path, query, headers }) => {
    const representation = negotiateRepresentation(headers, ["json", "csv", "xlsx"]);
    const ref = { tenantId: principal.tenantId, ...path };
    if (representation === "xlsx") {
      return transactionLinesXlsxAnswer(
        (page) => listTransactionLines(stores, ref, page),
        ref,
        query,
        negotiateLocale(headers),
      );
    }
    const page = await listTransactionLines(stores, ref, query);
    if (representation === "csv") return transactionLinesCsvPageAnswer(page, ref, query, negotiateLocale(headers));
    return { status: 200, body: toTransactionLinesPageJson(page) };
  });
}

export const handler = lambdaEntry(createHandler);
