import middy from "@middy/core";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import type { FunctionConfig } from "../../lib/config/functionConfig.ts";
import { refreshDueEngagements, RefreshEventDetailSchema } from "../../lib/imports/refreshDueEngagements.ts";
import { createSyncDeps, createSyncDispatcher } from "../shared/adapters.ts";
import { lambdaEntry } from "../shared/environment.ts";

/**
 * Scheduled (infra/schedule.ts, EventBridge) → refreshDueEngagements: the engagements whose refresh is due, each
 * queued as a sync (trigger `schedule`) and sent to its accounting system's sync queue, whose worker
 * (functions/sync/worker.ts) runs it. One engagement's failure is recorded on it and never stops the others; the
 * invocation itself fails only when the schedule could not be read, and the next round is the retry. The event's
 * `detail` may name a tenant and ask for every scheduled engagement (`saldo refresh --now` invokes it so); it answers
 * the round's report.
 *
 * Composition root (STYLE.md §3): created once per container.
 */
export function createHandler(config: FunctionConfig) {
  const logger = new Logger({ serviceName: "saldo-refresh" });
  const deps = { ...createSyncDeps(config, logger), syncs: createSyncDispatcher(config) };
  return middy()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: EventBridgeSchema.extend({ detail: RefreshEventDetailSchema }) }))
    .handler(async (event) => {
      const { tenantId, all, by } = event.detail;
      const report = await refreshDueEngagements(deps, {
        ...(tenantId !== undefined ? { tenantId } : {}),
        ...(all !== undefined ? { all } : {}),
        by: by ?? "schedule",
      });
      logger.info("refresh round finished", {
        due: report.due,
        queued: report.queued.length,
        skipped: report.skipped.length,
        failed: report.failed.length,
      });
      return report;
    });
}

export const handler = lambdaEntry(createHandler);
