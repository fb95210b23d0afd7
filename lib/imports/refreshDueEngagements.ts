import { z } from "zod";
import { EngagementError } from "../engagements/errors.ts";
import { IdSchema } from "../ids/ids.ts";
import { clientIsScheduled, refreshDueAt } from "../engagements/refreshSchedule.ts";
import type { Engagement, EngagementRef } from "../engagements/types.ts";
import { SyncAlreadyRunningError, SyncNotConnectedError } from "./errors.ts";
import { startSync, type SyncDeps, type SyncDispatcher } from "./syncFromApi.ts";

/**
 * The `detail` of the event that starts a round (functions/schedule/refresh.ts): `{}` from the schedule's EventBridge
 * rule; `saldo refresh --now` may name a tenant, and ask for every scheduled engagement, due or not (`all`).
 */
export const RefreshEventDetailSchema = z
  .object({ tenantId: IdSchema.optional(), all: z.boolean().optional(), by: z.string().max(200).optional() })
  .strict();

/** A refresh round's report as the refresh function answers it (validated where it is read: `saldo refresh`). */
const RefSchema = z.object({ tenantId: z.string(), clientId: z.string(), engagementId: z.string() });
export const RefreshRoundReportSchema = z.object({
  at: z.string(),
  due: z.number().int().nonnegative(),
  queued: z.array(z.object({ ref: RefSchema, importId: z.string(), system: z.string() })),
  skipped: z.array(z.object({ ref: RefSchema, reason: z.enum(["not-scheduled", "running"]) })),
  failed: z.array(z.object({ ref: RefSchema, code: z.string(), message: z.string() })),
});

/**
 * The event EventBridge gives a scheduled rule's target, with a round's `detail` — what the local timer and
 * `saldo refresh --now` invoke the refresh function with, as the cloud's schedule does.
 */
export function scheduledRefreshEvent(
  detail: z.infer<typeof RefreshEventDetailSchema>,
  options: { region: string; id: string; now?: Date },
): Record<string, unknown> {
  return {
    version: "0",
    id: options.id,
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "000000000000",
    time: (options.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: options.region,
    resources: [],
    detail,
  };
}

/** Options of one round of {@link refreshDueEngagements}. */
export interface RefreshRoundOptions {
  /** Only this tenant's engagements (`saldo refresh --tenant`); default every tenant's. */
  tenantId?: string;
  /** Every engagement in the schedule, due or not (`saldo refresh --now --all`). */
  all?: boolean;
  /** Most engagements one round hands over (default 5 000); the rest are still due in the next round. */
  limit?: number;
  /** Who started the round (the trigger's `by`): `schedule`, `local-timer`, `cli:<user>`. */
  by?: string;
}

/** What one round did, engagement by engagement. */
export interface RefreshRoundReport {
  at: string;
  /** Engagements found due. */
  due: number;
  /** Syncs queued and handed to their system's queue. */
  queued: { ref: EngagementRef; importId: string; system: string }[];
  /** Not refreshed, and why: `not-scheduled` (closed, client not connected, interval off, deleted — taken out of the
   * schedule) or `running` (a sync of the engagement is under way). */
  skipped: { ref: EngagementRef; reason: "not-scheduled" | "running" }[];
  /** Could not be queued (recorded on the engagement); the others went on. */
  failed: { ref: EngagementRef; code: string; message: string }[];
}

/** Engagements a round works on at once (each a few reads and writes; the syncs themselves run in the workers). */
const ROUND_CONCURRENCY = 8;

/**
 * One round of the scheduled refresh (README "Scheduled refresh"): reads the engagements whose refresh is due from
 * the schedule's sparse index (never the table), and for each — on its own, so that one engagement's failure never
 * stops the others — checks that it is still to be refreshed (open, client live and connected, interval not `off`;
 * otherwise it leaves the schedule), queues its sync with the same use case as a manual sync (`startSync`, trigger
 * `schedule`) and hands it to the system's sync queue, whose worker runs it under the system's rate limit. The
 * engagement's next refresh moves one interval on at once (so the next round does not queue it again while it runs);
 * the sync's outcome then records itself on the engagement (runSync → recordRefresh).
 */
export async function refreshDueEngagements(
  deps: SyncDeps & { syncs: SyncDispatcher },
  options: RefreshRoundOptions = {},
): Promise<RefreshRoundReport> {
  const now = (deps.now ?? (() => new Date()))();
  const log = deps.log ?? (() => {});
  const due = (
    await deps.engagementStore.listDueRefreshes(options.all ? "\uffff" : now.toISOString(), options.limit ?? 5000)
  ).filter((engagement) => options.tenantId === undefined || engagement.tenantId === options.tenantId);
  const report: RefreshRoundReport = { at: now.toISOString(), due: due.length, queued: [], skipped: [], failed: [] };

  const refreshOne = async (engagement: Engagement): Promise<void> => {
    const ref = refOf(engagement);
    try {
      const client = await deps.engagementStore.getClient(ref);
      if (client === undefined || engagement.closedAt !== undefined || !clientIsScheduled(client)) {
        await deps.engagementStore.updateEngagementSchedule(ref, { refreshDueAt: null });
        report.skipped.push({ ref, reason: "not-scheduled" });
        return;
      }
      const queued = await startSync(deps, ref, { kind: "schedule", by: options.by ?? "schedule" });
      await deps.engagementStore.updateEngagementSchedule(ref, {
        refreshDueAt: refreshDueAt(client, engagement, now),
      });
      report.queued.push({
        ref,
        importId: queued.importId,
        system: queued.source.type === "api" ? queued.source.system : "",
      });
    } catch (error) {
      if (error instanceof SyncAlreadyRunningError) {
        report.skipped.push({ ref, reason: "running" });
        return;
      }
      const code = (error as { code?: unknown }).code;
      const failure = {
        code: typeof code === "string" ? code : "REFRESH_FAILED",
        message: error instanceof Error ? error.message : String(error),
      };
      report.failed.push({ ref, ...failure });
      log("refresh not queued", { ...ref, ...failure });
      // Not connected (no key, no connector, no system saldo reads) or gone: it leaves the schedule until the client
      // is connected again (storing a key puts its engagements back), with the reason on the engagement.
      const leaves = error instanceof SyncNotConnectedError || error instanceof EngagementError;
      await deps.engagementStore
        .updateEngagementSchedule(ref, {
          refresh: {
            ...engagement.refresh,
            lastRunAt: now.toISOString(),
            lastOutcome: "failed",
            lastTrigger: "schedule",
            lastError: failure,
          },
          ...(leaves ? { refreshDueAt: null } : {}),
        })
        .catch(() => {});
    }
  };

  const pending = [...due];
  await Promise.all(
    Array.from({ length: Math.min(ROUND_CONCURRENCY, pending.length) }, async () => {
      for (let next = pending.shift(); next !== undefined; next = pending.shift()) await refreshOne(next);
    }),
  );
  log("refresh round", {
    due: report.due,
    queued: report.queued.length,
    skipped: report.skipped.length,
    failed: report.failed.length,
  });
  return report;
}

function refOf(engagement: Engagement): EngagementRef {
  return { tenantId: engagement.tenantId, clientId: engagement.clientId, engagementId: engagement.engagementId };
}
