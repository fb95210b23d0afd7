import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { createDynamoStores } from "../../../lib/store/createDynamoStores.ts";
import { dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toTrialBalanceViewJson } from "../../../lib/imports/importViews.ts";
import { getTrialBalanceView } from "../../../lib/imports/trialBalanceView.ts";
import { negotiateLocale, negotiateRepresentation } from "../shared/negotiate.ts";
import { trialBalanceExportAnswer } from "./exportAnswers.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const stores = createDynamoStores({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });

/**
 * `GET …/engagements/{engagementId}/trial-balance`: the active version, as `saldo inspect --json` plus provenance;
 * CSV or XLSX when `Accept` asks for them.
 */
export const handler = httpHandler(
  ROUTES.getTrialBalance,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path, headers }) => {
    const representation = negotiateRepresentation(headers, ["json", "csv", "xlsx"]);
    const view = await getTrialBalanceView(stores, { tenantId: principal.tenantId, ...path });
    if (representation === "json") return { status: 200, body: toTrialBalanceViewJson(view) };
    return trialBalanceExportAnswer(view, representation, negotiateLocale(headers));
  },
);
