import type { EngagementStore } from "../engagements/ports.ts";
import type { DueImport, ImportStore } from "./ports.ts";
import { recordRefresh } from "./recordRefresh.ts";
import type { SyncDispatcher } from "./syncFromApi.ts";
import type { ImportRun } from "./types.ts";
import { IMPORT_LIFECYCLE_DEFAULTS } from "./importFile.ts";

/** An upload event to hand to the ingest function again: the facts importFile's claim identifies the import by. */
export interface UploadRedelivery {
  bucket: string;
  key: string;
  versionId?: string;
  etag?: string;
  size?: number;
  sequencer?: string;
  /** The original event's time (it orders the import among the engagement's uploads). */
  eventTime: string;
}

/**
 * Hands an upload's event to the ingest function again, asynchronously (the sweeper does not wait for the import).
 * Adapters: LambdaIngestRedelivery (cloud: an asynchronous Invoke of the ingest function), the local stack's own
 * delivery to the handler.
 */
export interface ImportRedelivery {
  redeliver(upload: UploadRedelivery): Promise<void>;
}

/** What sweepImports needs (STYLE.md §5). */
export interface SweepImportsDeps {
  importStore: ImportStore;
  /** Where a sync the sweep fails is recorded on its engagement (`Engagement.refresh`), as runSync records its own. */
  engagementStore: EngagementStore;
  redelivery: ImportRedelivery;
  /** Where a queued or dead API sync is handed again (the sync function); without it such a sync is failed. */
  syncs?: SyncDispatcher;
  /** How long a failed import is kept before DynamoDB TTL removes it (as importFile's). */
  retentionSeconds: number;
  /** Attempts (claims, or re-deliveries no attempt claimed) after which an import fails. Default 3. */
  maxAttempts?: number;
  /** How long a re-queued import waits for its re-delivered event to be claimed. Default 600 s. */
  retryGraceSeconds?: number;
  now?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** What one sweep did, by import id. */
export interface SweepReport {
  requeued: string[];
  failed: string[];
  expiryFinished: string[];
  /** Imports that stopped being due while the sweep looked at them (a heartbeat or a retry got there first). */
  skipped: string[];
  /** Imports the sweep could not handle this time (the next sweep tries again), with why. */
  errors: { importId: string; message: string }[];
}

/** Due imports read per round; a sweep reads rounds until nothing due is left (or after `maxRounds`). */
const PAGE = 100;

/**
 * Finishes what dead attempts left behind, for every tenant (run on a schedule in the cloud — infra/sweeper.ts —
 * and at start-up and on a timer by the local stack):
 *
 * - a `running` import whose lease expired (its process was killed, ran out of memory or timed out — no heartbeat
 *   renewed it), or a `queued` one no retry claimed in time: re-queued and its upload event re-delivered to the ingest
 *   function, which takes it over with the same import id — or, after `maxAttempts`, `failed` with
 *   `IMPORT_ATTEMPT_DIED` (the last attempt died) or `IMPORT_RETRIES_EXHAUSTED` (the last attempt failed and was
 *   released; its failure is quoted), its data marked to expire; a failed API sync's outcome is recorded on its
 *   engagement (`refresh.lastOutcome` `failed`, `lastError` the code above) as every sync's is (recordRefresh);
 * - a failed or superseded import whose data items may still lack their expiry (a crash between the write that
 *   ended it and the marking of its data): the marking is finished.
 *
 * Nothing active is touched: every change is conditional on the import still being due. Each import is handled on
 * its own; one that fails is reported and left for the next sweep.
 */
export async function sweepImports(deps: SweepImportsDeps, options: { maxRounds?: number } = {}): Promise<SweepReport> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => {});
  const maxAttempts = deps.maxAttempts ?? 3;
  const graceMs = (deps.retryGraceSeconds ?? IMPORT_LIFECYCLE_DEFAULTS.retryGraceSeconds) * 1000;
  const report: SweepReport = { requeued: [], failed: [], expiryFinished: [], skipped: [], errors: [] };
  const seen = new Set<string>();

  for (let round = 0; round < (options.maxRounds ?? 20); round++) {
    const at = now();
    const due = (await deps.importStore.listDueImports(at.toISOString(), PAGE)).filter(
      (entry) => !seen.has(entry.run.importId),
    );
    if (due.length === 0) break;
    for (const entry of due) {
      seen.add(entry.run.importId);
      try {
        await sweepOne(entry, now());
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        report.errors.push({ importId: entry.run.importId, message });
        log("sweep: could not handle an import; the next sweep tries again", { ...refOf(entry.run), reason: message });
      }
    }
  }
  return report;

  async function sweepOne(entry: DueImport, at: Date): Promise<void> {
    const { run } = entry;
    const ref = refOf(run);
    if (entry.kind === "expiry") {
      await deps.importStore.finishDataExpiry(ref);
      report.expiryFinished.push(run.importId);
      log("sweep: finished the expiry of an ended import's data", { ...ref, status: run.status });
      return;
    }
    const attempts = run.attempts ?? 0;
    const upload = redeliveryOf(run);
    const syncs = run.source.type === "api" ? deps.syncs : undefined;
    if (attempts >= maxAttempts || entry.redeliveries >= maxAttempts || (upload === undefined && syncs === undefined)) {
      const failure = failureOf(run, entry, maxAttempts);
      const ended = await deps.importStore.failDueImport(ref, {
        now: at.toISOString(),
        failure,
        finishedAt: at.toISOString(),
        expiresAt: Math.floor(at.getTime() / 1000) + deps.retentionSeconds,
      });
      if (!ended) {
        report.skipped.push(run.importId);
        return;
      }
      report.failed.push(run.importId);
      log("sweep: import failed after its attempts", { ...ref, code: failure.code, attempts });
      await deps.importStore.finishDataExpiry(ref);
      if (run.source.type === "api") {
        // A failure to write it never changes how the sync ended (as in runSync).
        const failed: ImportRun = { ...run, status: "failed", failure, finishedAt: at.toISOString() };
        await recordRefresh({ engagementStore: deps.engagementStore, now: () => at }, ref, {
          outcome: "failed",
          run: failed,
        }).catch((error: unknown) =>
          log("sweep: refresh outcome not recorded", {
            ...ref,
            reason: error instanceof Error ? error.message : String(error),
          }),
        );
      }
      return;
    }
    const requeued = await deps.importStore.requeueImport(ref, {
      now: at.toISOString(),
      retryBy: new Date(at.getTime() + graceMs).toISOString(),
    });
    if (!requeued) {
      report.skipped.push(run.importId);
      return;
    }
    report.requeued.push(run.importId);
    log("sweep: re-queued an import whose attempt died; its event is delivered again", {
      ...ref,
      status: run.status,
      attempts,
    });
    // Should this fail, the import is due again after the grace period and the next sweep delivers it again.
    if (upload !== undefined) await deps.redelivery.redeliver(upload);
    else await syncs!.dispatch({ ...ref, ...(run.source.type === "api" ? { system: run.source.system } : {}) });
  }
}

/** The upload event of a file import, as its claim identifies it (see importFile's `sourceId`). */
export function redeliveryOf(run: ImportRun): UploadRedelivery | undefined {
  if (run.source.type !== "file") return undefined;
  const { bucket, key, versionId, etag, size, sequencer } = run.source;
  return {
    bucket,
    key,
    ...(versionId !== undefined ? { versionId } : {}),
    ...(etag !== undefined ? { etag } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(sequencer !== undefined ? { sequencer } : {}),
    // orderKeyOf(eventTime, sequencer) starts with the event time.
    eventTime: run.orderKey.split("#")[0] ?? run.createdAt,
  };
}

function failureOf(run: ImportRun, entry: DueImport, maxAttempts: number): { code: string; message: string } {
  const attempts = run.attempts ?? 0;
  if (run.status === "queued" && run.failure !== undefined) {
    return {
      code: "IMPORT_RETRIES_EXHAUSTED",
      message: `no retry succeeded after ${attempts} attempt(s) (at most ${maxAttempts}); the last failed with ${run.failure.code}: ${run.failure.message}`,
    };
  }
  return {
    code: "IMPORT_ATTEMPT_DIED",
    message:
      `the import's last attempt (${attempts} of at most ${maxAttempts}) stopped renewing its lease at ${entry.dueAt} ` +
      "— its process was killed, ran out of memory or timed out — and no further attempt is made",
  };
}

function refOf(run: ImportRun) {
  return { tenantId: run.tenantId, clientId: run.clientId, engagementId: run.engagementId, importId: run.importId };
}
