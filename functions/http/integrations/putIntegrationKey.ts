import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { DynamoEngagementStore } from "../../../lib/store/DynamoEngagementStore.ts";
import { createKeyVault, dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { putIntegrationKey } from "../../../lib/engagements/manageIntegrationKeys.ts";
import { Secret } from "../../../lib/secrets/Secret.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const engagementStore = new DynamoEngagementStore({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });
const keys = createKeyVault(process.env);

/** `PUT /clients/{clientId}/integrations/{system}`: stores the key (wrapped at once; never returned or logged). */
export const handler = httpHandler(
  ROUTES.putIntegrationKey,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path, body }) => {
    const ref = { tenantId: principal.tenantId, ...path };
    const status = await putIntegrationKey({ engagementStore, keys }, ref, new Secret(body));
    return { status: 200, body: { system: path.system, ...status } };
  },
);
