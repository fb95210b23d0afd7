import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { DynamoLedgerStore } from "../../../lib/store/DynamoLedgerStore.ts";
import { dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toTransactionLinesPageJson } from "../../../lib/imports/importViews.ts";
import { listTransactionLines } from "../../../lib/imports/listTransactionLines.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const store = new DynamoLedgerStore({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });

/** `GET …/engagements/{engagementId}/transactions`: one item per line of the active version, filtered and paged. */
export const handler = httpHandler(ROUTES.listTransactions, { logger, tenantClaim: env.tenantClaim }, async ({ principal, path, query }) => ({
  status: 200,
  body: toTransactionLinesPageJson(await listTransactionLines({ store }, { tenantId: principal.tenantId, ...path }, query)),
}));
