import { Logger } from "@aws-lambda-powertools/logger";
import { buildOpenApiDocument } from "../../../lib/api/openApiDocument.ts";
import { ROUTES } from "../../../lib/api/routes.ts";
import { DEFAULT_TENANT_CLAIM } from "../../../lib/auth/verifyAccessToken.ts";
import { httpHandler } from "../shared/httpHandler.ts";

// Built once per container from the route table: the same document as the committed openapi.json (a test checks).
const logger = new Logger({ serviceName: "saldo-api" });
const document = buildOpenApiDocument();

/** `GET /openapi.json` (no token needed). */
export const handler = httpHandler(ROUTES.getOpenApiDocument, { logger, tenantClaim: DEFAULT_TENANT_CLAIM }, async () => ({
  status: 200,
  body: document as { openapi: string; info: { title: string; version: string }; paths: Record<string, unknown> },
}));
