import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { createDynamoStores } from "../../../lib/store/createDynamoStores.ts";
import { dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { getImportReport } from "../../../lib/imports/importReports.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const stores = createDynamoStores({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });

/** `GET …/imports/{importId}`: the import with its full validation report. */
export const handler = httpHandler(
  ROUTES.getImport,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path }) => ({
    status: 200,
    body: await getImportReport(stores, { tenantId: principal.tenantId, ...path }),
  }),
);
