import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { createDynamoStores } from "../../../lib/store/createDynamoStores.ts";
import { dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toTransactionLinesPageJson } from "../../../lib/imports/importViews.ts";
import { listTransactionLines } from "../../../lib/imports/listTransactionLines.ts";
import { negotiateLocale, negotiateRepresentation } from "../shared/negotiate.ts";
import { transactionLinesCsvPageAnswer, transactionLinesXlsxAnswer } from "./exportAnswers.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const stores = createDynamoStores({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });

/**
 * `GET …/engagements/{engagementId}/transactions`: one item per line of the active version, filtered and paged; a page
 * of CSV, or every filtered line as one XLSX, when `Accept` asks for them.
 */
export const handler = httpHandler(
  ROUTES.listTransactions,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path, query, headers }) => {
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
  },
);
