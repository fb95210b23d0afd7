import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { DynamoEngagementStore } from "../../../lib/store/DynamoEngagementStore.ts";
import { dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { toClientJson } from "../../../lib/api/resourceJson.ts";
import { createClient } from "../../../lib/engagements/manageClients.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const engagementStore = new DynamoEngagementStore({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });

/** `POST /clients`: creates a client of the caller's tenant with a generated id. */
export const handler = httpHandler(
  ROUTES.createClient,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, body }) => ({
    status: 201,
    body: toClientJson(await createClient({ engagementStore }, { tenantId: principal.tenantId, ...body })),
  }),
);
