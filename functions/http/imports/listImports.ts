import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { createDynamoStores } from "../../../lib/store/createDynamoStores.ts";
import { dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { listImportSummaries } from "../../../lib/imports/importReports.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const stores = createDynamoStores({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });

/** `GET …/engagements/{engagementId}/imports`: newest first, the active one marked. */
export const handler = httpHandler(
  ROUTES.listImports,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path }) => ({
    status: 200,
    body: { items: await listImportSummaries(stores, { tenantId: principal.tenantId, ...path }) },
  }),
);
