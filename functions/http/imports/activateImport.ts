import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { createStores } from "../../shared/adapters.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";
import { activateEarlierImport } from "../../../lib/imports/activateEarlierImport.ts";
import { toActivationJson } from "../../../lib/imports/importViews.ts";

/** `POST …/imports/{importId}/activate`: makes an earlier version active again, or a held one accepting its reasons. */
export function createHandler(config: FunctionConfig) {
  const logger = new Logger({ serviceName: "saldo-api" });
  const deps = {
    ...createStores(config),
    retentionSeconds: config.retentionSeconds,
    log: (message: string, fields: Record<string, unknown>) => logger.warn(message, fields),
  };
  return httpHandler(ROUTES.activateImport, { ...config, logger }, async ({ principal, path, body }) => ({
    status: 200,
    body: toActivationJson(
      await activateEarlierImport(
        deps,
        { tenantId: principal.tenantId, ...path },
        { accept: body?.accept ?? [], by: principal.subject },
      ),
    ),
  }));
}

export const handler = lambdaEntry(createHandler);
