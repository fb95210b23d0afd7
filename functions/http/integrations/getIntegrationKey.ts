import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { DynamoEngagementStore } from "../../../lib/store/DynamoEngagementStore.ts";
import { createKeyVault, dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { getIntegrationKeyStatus } from "../../../lib/engagements/manageIntegrationKeys.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const engagementStore = new DynamoEngagementStore({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });
const keys = createKeyVault(process.env);

/** `GET /clients/{clientId}/integrations/{system}`: set or not, masked to the last 4 characters, when set and used. */
export const handler = httpHandler(
  ROUTES.getIntegrationKey,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path }) => ({
    status: 200,
    body: {
      system: path.system,
      ...(await getIntegrationKeyStatus({ engagementStore, keys }, { tenantId: principal.tenantId, ...path })),
    },
  }),
);
