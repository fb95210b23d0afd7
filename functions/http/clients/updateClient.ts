import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { DynamoEngagementStore } from "../../../lib/store/DynamoEngagementStore.ts";
import { dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toClientJson } from "../../../lib/api/resourceJson.ts";
import { updateClient } from "../../../lib/engagements/manageClients.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const engagementStore = new DynamoEngagementStore({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });

/** `PATCH /clients/{clientId}` */
export const handler = httpHandler(
  ROUTES.updateClient,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path, body }) => ({
    status: 200,
    body: toClientJson(await updateClient({ engagementStore }, { tenantId: principal.tenantId, ...path }, body)),
  }),
);
