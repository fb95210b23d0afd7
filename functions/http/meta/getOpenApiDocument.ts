import { buildOpenApiDocument } from "../../../lib/api/openApiDocument.ts";
import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/** `GET /openapi.json` (no token needed). */
export function createHandler(config: FunctionConfig) {
  // Built once per handler from the route table: the same document as the committed openapi.json (a test checks).
  const document = buildOpenApiDocument();
  return httpHandler(ROUTES.getOpenApiDocument, config, async () => ({
    status: 200,
    body: document as { openapi: string; info: { title: string; version: string }; paths: Record<string, unknown> },
  }));
}

export const handler = lambdaEntry(createHandler);
