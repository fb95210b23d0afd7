import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { FunctionConfig } from "../../config/functionConfig.ts";
import { LocalStackStartError } from "./errors.ts";
import type { LocalLambdaHandler } from "./invokeLikeLambda.ts";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Builds a function's handler for the local stack from the name Lambda is configured with
 * (`<module path without extension>.handler`, relative to the project root): the module is loaded by that path at
 * run time, as Lambda loads it (lib/ does not import functions/), and its `createHandler` — the factory its `handler`
 * export is built with in the cloud — is called with the local configuration. One module instance serves every stack
 * in a process; each stack gets handlers of its own configuration.
 *
 * @throws LocalStackStartError `HANDLER_NOT_FOUND` when the module cannot be loaded or has no `createHandler`.
 */
export async function createFunctionHandler(handlerName: string, config: FunctionConfig): Promise<LocalLambdaHandler> {
  const modulePath = join(projectRoot, `${handlerName.slice(0, handlerName.lastIndexOf("."))}.ts`);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new LocalStackStartError("HANDLER_NOT_FOUND", `could not load ${handlerName}: ${(cause as Error).message}`, {
      cause,
      context: { modulePath },
    });
  }
  const createHandler = loaded.createHandler;
  if (typeof createHandler !== "function") {
    throw new LocalStackStartError("HANDLER_NOT_FOUND", `${modulePath} has no function export "createHandler"`, {
      context: { modulePath, exportName: "createHandler" },
    });
  }
  return (createHandler as (config: FunctionConfig) => LocalLambdaHandler)(config);
}
