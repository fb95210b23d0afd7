import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { createDynamoStores } from "../../../lib/store/createDynamoStores.ts";
import { dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { compareImports } from "../../../lib/imports/compareImports.ts";
import { toImportComparisonJson } from "../../../lib/imports/importViews.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const stores = createDynamoStores({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });

/** `GET …/imports/{importId}/compare?with={otherImportId}`: accounts whose figures differ, before and after. */
export const handler = httpHandler(
  ROUTES.compareImports,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path, query }) => ({
    status: 200,
    body: toImportComparisonJson(await compareImports(stores, { tenantId: principal.tenantId, ...path }, query.with)),
  }),
);
