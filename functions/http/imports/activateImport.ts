import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { createDynamoStores } from "../../../lib/store/createDynamoStores.ts";
import { dynamoClientConfig, readApiEnvironment } from "../shared/apiEnvironment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { activateEarlierImport } from "../../../lib/imports/activateEarlierImport.ts";
import { toActivationJson } from "../../../lib/imports/importViews.ts";

// Composition root (STYLE.md §3): configuration, clients and adapters are created once per container.
const env = readApiEnvironment(process.env);
const logger = new Logger({ serviceName: "saldo-api" });
const stores = createDynamoStores({ tableName: env.tableName, clientConfig: dynamoClientConfig(env) });

/** `POST …/imports/{importId}/activate`: makes an earlier version active again, or a held one accepting its reasons. */
export const handler = httpHandler(
  ROUTES.activateImport,
  { logger, tenantClaim: env.tenantClaim },
  async ({ principal, path, body }) => ({
    status: 200,
    body: toActivationJson(
      await activateEarlierImport(
        { ...stores, retentionSeconds: env.retentionSeconds },
        { tenantId: principal.tenantId, ...path },
        { accept: body?.accept ?? [], by: principal.subject },
      ),
    ),
  }),
);
