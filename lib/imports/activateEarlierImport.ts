import { StoreNotFoundError } from "../store/errors.ts";
import type { LedgerStore } from "./ports.ts";
import type { ImportRef, ImportRun } from "./types.ts";
import {
  ImportExpiredError,
  ImportNotActivatableError,
  ImportNotFoundError,
  ImportViewError,
  requireEngagement,
  requireImport,
} from "./viewErrors.ts";

/** What activateEarlierImport needs (STYLE.md §5). */
export interface ActivateEarlierImportDeps {
  store: LedgerStore;
  /** How long the version that stops being active is kept before DynamoDB TTL removes it. */
  retentionSeconds: number;
  now?: () => Date;
}

/** The engagement's active version after the call. Render it with `toActivationJson`. */
export interface ActivationOutcome {
  /** The import now active (status `succeeded`). */
  import: ImportRun;
  /** The import that was active before (now `superseded`); undefined when none was, or when nothing changed. */
  previousImportId?: string;
  /** False when the import already was the active version (the call is idempotent and changed nothing). */
  changed: boolean;
}

/**
 * Makes an earlier version (import) of the engagement its active version again — e.g. after a wrong file was
 * uploaded. Only a version with complete figures can be activated: `succeeded` or `superseded`, and not past its
 * retention (a superseded version's data expires `retentionSeconds` after it was superseded, and may be partly
 * deleted by then). The version it replaces becomes `superseded` and starts its own retention.
 *
 * The store's `activateImport` is called with `force` (an earlier version sorts before the active one). The order
 * key the engagement keeps is the later of the two, so the choice stands against late deliveries of uploads made
 * before it; a file uploaded afterwards becomes active as usual.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError, ImportNotFoundError (also for another tenant's ids);
 *   ImportNotActivatableError (failed, queued or running); ImportExpiredError
 */
export async function activateEarlierImport(
  deps: ActivateEarlierImportDeps,
  ref: ImportRef,
): Promise<ActivationOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const engagement = await requireEngagement(deps.store, ref);
  const run = await requireImport(deps.store, ref);
  if (run.status !== "succeeded" && run.status !== "superseded") throw new ImportNotActivatableError(run);
  if (engagement.activeImportId === run.importId) return { import: run, changed: false };
  if (run.expiresAt !== undefined && run.expiresAt <= Math.floor(now.getTime() / 1000)) {
    throw new ImportExpiredError({ ...run, expiresAt: run.expiresAt });
  }

  const orderKey =
    engagement.activeOrderKey !== undefined && engagement.activeOrderKey > run.orderKey
      ? engagement.activeOrderKey
      : run.orderKey;
  let activation;
  try {
    activation = await deps.store.activateImport(ref, {
      orderKey,
      now: now.toISOString(),
      retentionSeconds: deps.retentionSeconds,
      force: true,
    });
  } catch (error) {
    // Deleted between our read and the write (TTL, or a concurrent delete): the same answer as a missing id.
    if (error instanceof StoreNotFoundError) throw new ImportNotFoundError(ref);
    throw error;
  }
  // With force the store always activates; should an adapter still answer "stale", never report a change that did
  // not happen.
  if (activation.outcome !== "activated") {
    throw new ImportViewError(
      "conflict",
      "IMPORT_ACTIVATION_LOST",
      `Import "${ref.importId}" was not activated: import "${activation.activeImportId}" stays active`,
      { context: { engagementId: ref.engagementId, importId: ref.importId } },
    );
  }
  const activated = (await deps.store.getImport(ref)) ?? { ...run, status: "succeeded" };
  return {
    import: activated,
    ...(activation.previousImportId === undefined ? {} : { previousImportId: activation.previousImportId }),
    changed: true,
  };
}
