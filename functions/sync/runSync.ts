import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy from "@middy/core";
import type { FunctionConfig } from "../../lib/config/functionConfig.ts";
import { SyncNotQueuedError } from "../../lib/imports/errors.ts";
import { runSync, SyncEventSchema } from "../../lib/imports/syncFromApi.ts";
import { createSyncDeps } from "../shared/adapters.ts";
import { lambdaEntry } from "../shared/environment.ts";

/**
 * Invoked asynchronously with a queued sync (the API's sync route, the sweeper) → runSync: the connector's pull
 * through the same import attempt as a file. A sync that ended — imported, held, unchanged, failed with its code, or a
 * duplicate delivery — returns; an unexpected failure (the sync was released for a retry) is rethrown, so that
 * Lambda's asynchronous retries and, after them, the sweeper's re-dispatch take it. An event naming no queued sync is
 * logged and dropped: retrying it cannot help.
 *
 * Composition root (STYLE.md §3): created once per container.
 */
export function createHandler(config: FunctionConfig) {
  const logger = new Logger({ serviceName: "saldo-sync" });
  const deps = createSyncDeps(config, logger);
  return middy()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: SyncEventSchema }))
    .handler(async (event) => {
      try {
        const result = await runSync(deps, event);
        const failure = result.outcome === "failed" ? result.run.failure : undefined;
        logger.info("sync ended", { ...event, outcome: result.outcome, status: result.run.status, failure });
        return { outcome: result.outcome, status: result.run.status };
      } catch (error) {
        if (error instanceof SyncNotQueuedError) {
          logger.warn("no queued sync to run", { ...event, reason: error.message });
          return { outcome: "not-queued" as const };
        }
        logger.error("sync attempt failed: released for a retry", { ...event, error: error as Error });
        throw error;
      }
    });
}

export const handler = lambdaEntry(createHandler);
