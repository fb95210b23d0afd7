import { Logger } from "@aws-lambda-powertools/logger";
import { ROUTES } from "../../../lib/api/routes.ts";
import { DEFAULT_TENANT_CLAIM } from "../../../lib/auth/verifyAccessToken.ts";
import { httpHandler } from "../shared/httpHandler.ts";

const logger = new Logger({ serviceName: "saldo-api" });

/** `GET /health` (no token needed): the function answers. The local stack's /health adds its emulators. */
export const handler = httpHandler(ROUTES.getHealth, { logger, tenantClaim: DEFAULT_TENANT_CLAIM }, async () => ({
  status: 200,
  body: { status: "ok" as const },
}));
