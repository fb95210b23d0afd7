import { ROUTES } from "../../../lib/api/routes.ts";
import type { FunctionConfig } from "../../../lib/config/functionConfig.ts";
import { lambdaEntry } from "../../shared/environment.ts";
import { httpHandler } from "../shared/httpHandler.ts";

/** `GET /health` (no token needed): the function answers. The local stack's /health adds its emulators. */
export function createHandler(config: FunctionConfig) {
  return httpHandler(ROUTES.getHealth, config, async () => ({ status: 200, body: { status: "ok" as const } }));
}

export const handler = lambdaEntry(createHandler);
