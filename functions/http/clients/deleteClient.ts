import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { DynamoEngagementStore } from "../../../lib/store/DynamoEngagementStore.ts";
import { createKeyVault, dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { deleteClient } from "../../../lib/engagements/manageClients.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const engagementStore = new DynamoEngagementStore({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });
const keys = createKeyVault(process.env);

/** `DELETE /clients/{clientId}`: soft delete; the client's integration keys are removed. */
export const handler = httpHandler(
  ROUTES.deleteClient,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path }) => {
    await deleteClient({ engagementStore, keys }, { tenantId: principal.tenantId, ...path });
    return { status: 204 };
  },
);
