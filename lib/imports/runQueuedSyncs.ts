import { SyncNotQueuedError } from "./errors.ts";
import { IMPORT_LIFECYCLE_DEFAULTS } from "./importAttempt.ts";
import type { ImportStore } from "./ports.ts";
import { recordRefresh } from "./recordRefresh.ts";
import { runSync, SyncEventSchema, type SyncDeps } from "./syncFromApi.ts";
import { SYNC_MAX_RECEIVES } from "./syncQueues.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { ImportRef, ImportRun } from "./types.ts";

/**
 * A message of a sync queue: its id (for the partial batch answer), its body (a SyncEvent as JSON) and how often it
 * has been received, this time included (SQS's `ApproximateReceiveCount`).
 */
export interface SyncMessage {
  id: string;
  body: string;
  receiveCount: number;
}

/**
 * Runs the syncs a batch of sync-queue messages names, one after another (the worker's concurrency is the queue's),
 * each on its own: returns the ids of the messages to deliver again — a sync that failed unexpectedly (runSync
 * released it for a retry) or a body that is not a sync event (kept for the dead-letter queue, where a person can
 * look at it). A sync that ended in any way, a duplicate delivery, or a message whose sync is no longer queued is
 * done. On the message's last receive ({@link SYNC_MAX_RECEIVES}) an unexpected failure ends the sync as failed
 * (`IMPORT_RETRIES_EXHAUSTED`) and records it on the engagement at once — the message still goes to the dead-letter
 * queue, where a person can look at it. Used by the sync worker (functions/sync/worker.ts).
 */
export async function runQueuedSyncs(deps: SyncDeps, messages: readonly SyncMessage[]): Promise<string[]> {
  const log = deps.log ?? (() => {});
  const retry: string[] = [];
  for (const message of messages) {
    const ref = syncOf(message, log, "sync message is not a sync event: left for the dead-letter queue");
    if (ref === undefined) {
      retry.push(message.id);
      continue;
    }
    try {
      const result = await runSync(deps, ref);
      log("sync ended", { ...ref, outcome: result.outcome, status: result.run.status });
    } catch (error) {
      if (error instanceof SyncNotQueuedError) {
        log("no queued sync to run", { ...ref, reason: error.message });
        continue;
      }
      const reason = error instanceof Error ? error.message : String(error);
      if (message.receiveCount >= SYNC_MAX_RECEIVES) {
        log("sync attempt failed on its last receive: the sync fails", { ...ref, reason });
        // The attempt released it with a retry deadline this far ahead: no other attempt may take it before.
        const grace = (deps.retryGraceSeconds ?? IMPORT_LIFECYCLE_DEFAULTS.retryGraceSeconds) * 1000 + 1000;
        await endDeadSync(deps, ref, { receives: message.receiveCount, deadlineAfter: grace }).catch(
          (endError: unknown) =>
            log("sync could not be ended; the sweeper ends it", {
              ...ref,
              reason: endError instanceof Error ? endError.message : String(endError),
            }),
        );
      } else log("sync attempt failed: released for a retry", { ...ref, reason });
      retry.push(message.id);
    }
  }
  return retry;
}

/**
 * Ends a sync whose message SQS gave up on (its last receive failed, or the message reached the dead-letter queue: its
 * attempts crashed or timed out) as `failed` — `IMPORT_RETRIES_EXHAUSTED` when the last attempt failed and released
 * it, `IMPORT_ATTEMPT_DIED` when it stopped renewing its lease — and records the outcome on the engagement
 * (recordRefresh), as every sync's is. Nothing happens to a sync that already ended or that an attempt holds.
 * `deadlineAfter`: how far past now a released sync's retry deadline may be (the worker's own last receive; 0 for
 * the dead-letter queue, long after every deadline). Returns whether it ended the sync.
 */
export async function endDeadSync(
  deps: {
    importStore: ImportStore;
    engagementStore: EngagementStore;
    retentionSeconds: number;
    now?: () => Date;
    log?: (message: string, fields: Record<string, unknown>) => void;
  },
  ref: ImportRef,
  options: { receives: number; deadlineAfter?: number },
): Promise<boolean> {
  const at = (deps.now ?? (() => new Date()))();
  const run = await deps.importStore.getImport(ref);
  if (run === undefined || run.source.type !== "api" || (run.status !== "queued" && run.status !== "running"))
    return false;
  const failure =
    run.status === "queued" && run.failure !== undefined
      ? {
          code: "IMPORT_RETRIES_EXHAUSTED",
          message: `no retry succeeded after ${options.receives} receive(s) of its sync message (at most ${SYNC_MAX_RECEIVES}); the last failed with ${run.failure.code}: ${run.failure.message}`,
        }
      : {
          code: "IMPORT_ATTEMPT_DIED",
          message: `the sync's last attempt (receive ${options.receives} of at most ${SYNC_MAX_RECEIVES}) crashed or timed out, and its message went to the dead-letter queue`,
        };
  const ended = await deps.importStore.failDueImport(ref, {
    now: new Date(at.getTime() + (options.deadlineAfter ?? 0)).toISOString(),
    failure,
    finishedAt: at.toISOString(),
    expiresAt: Math.floor(at.getTime() / 1000) + deps.retentionSeconds,
  });
  if (!ended) return false;
  await deps.importStore.finishDataExpiry(ref);
  const failed: ImportRun = { ...run, status: "failed", failure, finishedAt: at.toISOString() };
  await recordRefresh({ engagementStore: deps.engagementStore, now: () => at }, ref, {
    outcome: "failed",
    run: failed,
  });
  deps.log?.("sync failed after its last receive", { ...ref, code: failure.code });
  return true;
}

/**
 * The dead-letter queue's messages (functions/sync/deadLetters.ts): each names a sync whose attempts all crashed or
 * timed out; {@link endDeadSync} ends it and records the outcome. A body that is no sync event is logged and dropped
 * (there is nowhere further to send it). Returns the ids to deliver again (a store failure: SQS retries).
 */
export async function endDeadLetteredSyncs(deps: SyncDeps, messages: readonly SyncMessage[]): Promise<string[]> {
  const log = deps.log ?? (() => {});
  const retry: string[] = [];
  for (const message of messages) {
    const ref = syncOf(message, log, "dead-lettered sync message is not a sync event: dropped");
    if (ref === undefined) continue;
    try {
      await endDeadSync(deps, ref, { receives: SYNC_MAX_RECEIVES });
    } catch (error) {
      log("dead-lettered sync not ended yet: delivered again", {
        ...ref,
        reason: error instanceof Error ? error.message : String(error),
      });
      retry.push(message.id);
    }
  }
  return retry;
}

/** The sync a message names, or undefined (logged as `unreadable`, with the reason) when its body is no sync event. */
function syncOf(
  message: SyncMessage,
  log: (message: string, fields: Record<string, unknown>) => void,
  unreadable: string,
): ImportRef | undefined {
  try {
    const { system: _system, ...ref } = SyncEventSchema.parse(JSON.parse(message.body));
    return ref;
  } catch (error) {
    log(unreadable, { messageId: message.id, reason: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}
