import type { EngagementStore } from "../engagements/ports.ts";
import { refreshDueAt } from "../engagements/refreshSchedule.ts";
import type { EngagementRef, EngagementRefresh, RefreshOutcome } from "../engagements/types.ts";
import type { ImportRun } from "./types.ts";

/** How a sync ended, as {@link recordRefresh} records it on the engagement. */
export interface SyncOutcome {
  outcome: "imported" | "held" | "failed" | "unchanged" | "superseded";
  run: ImportRun;
}

/**
 * Records how a sync ended on its engagement (`Engagement.refresh`: data as of, last run, outcome, last error) and
 * moves its next scheduled refresh one interval on — for every sync, scheduled or manual, in one write. `dataAsOf`
 * moves only when the engagement's figures are the system's data as of that time (a new active version, or nothing
 * changed); a held or failed sync keeps the previous one and says why in `lastError`.
 */
export async function recordRefresh(
  deps: { engagementStore: EngagementStore; now?: () => Date },
  ref: EngagementRef,
  ended: SyncOutcome,
): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  const [client, engagement] = await Promise.all([
    deps.engagementStore.getClient(ref),
    deps.engagementStore.getEngagement(ref),
  ]);
  if (client === undefined || engagement === undefined) return;
  const { run } = ended;
  const lastRunAt = run.finishedAt ?? now.toISOString();
  const outcome: RefreshOutcome = ended.outcome === "imported" ? "succeeded" : ended.outcome;
  const source = run.source.type === "api" ? run.source : undefined;
  const fresh = outcome === "succeeded" || outcome === "unchanged";
  const dataAsOf = fresh ? (source?.marker?.asOf ?? source?.fetchedAt ?? lastRunAt) : engagement.refresh?.dataAsOf;
  const lastError =
    outcome === "failed"
      ? (run.failure ?? { code: "SYNC_FAILED", message: "the sync failed" })
      : outcome === "held"
        ? { code: "IMPORT_HELD", message: `held for ${(run.heldFor ?? []).join(", ")}: a person must accept it` }
        : undefined;
  const refresh: EngagementRefresh = {
    ...(dataAsOf !== undefined ? { dataAsOf } : {}),
    lastRunAt,
    lastOutcome: outcome,
    lastImportId: run.importId,
    lastTrigger: run.trigger.kind,
    ...(lastError !== undefined ? { lastError } : {}),
  };
  await deps.engagementStore.updateEngagementSchedule(ref, {
    refresh,
    refreshDueAt: refreshDueAt(client, engagement, new Date(lastRunAt)),
  });
}
