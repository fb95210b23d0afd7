import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { DynamoEngagementStore } from "../../../lib/store/DynamoEngagementStore.ts";
import { dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toClientJson } from "../../../lib/api/resourceJson.ts";
import { getClient } from "../../../lib/engagements/manageClients.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const engagementStore = new DynamoEngagementStore({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });

/** `GET /clients/{clientId}` */
export const handler = httpHandler(
  ROUTES.getClient,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path }) => ({
    status: 200,
    body: toClientJson(await getClient({ engagementStore }, { tenantId: principal.tenantId, ...path })),
  }),
);
