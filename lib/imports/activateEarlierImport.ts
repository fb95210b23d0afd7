import { getEngagement } from "../engagements/manageEngagements.ts";
import { isConnected, slotOfImport } from "../engagements/sourcePlan.ts";
import type { ActiveSlot, Engagement } from "../engagements/types.ts";
import { hasErrorCode } from "../errors/SaldoError.ts";
import { UNACCEPTABLE_CODES } from "./activationRules.ts";
import { adoptClientOrgNumber } from "./clientOrgNumber.ts";
import type { EngagementStore } from "../engagements/ports.ts";
import type { ImportStore } from "./ports.ts";
import type { ImportRef, ImportRun } from "./types.ts";
import {
  ImportExpiredError,
  ImportHasNoFiguresError,
  ImportHeldError,
  ImportNotActivatableError,
  ImportNotFoundError,
  ImportViewError,
  requireImport,
} from "./viewErrors.ts";

/** What activateEarlierImport needs (STYLE.md §5). */
export interface ActivateEarlierImportDeps {
  engagementStore: EngagementStore;
  importStore: ImportStore;
  /** How long the version that stops being active is kept before DynamoDB TTL removes it. */
  retentionSeconds: number;
  now?: () => Date;
}

/** What a person says when activating: the reasons of a held import they accept, and who they are. */
export interface ActivationRequest {
  /** Codes of the activation rules accepted (README "Activation rules"); only a held import needs them. */
  accept?: readonly string[];
  /** Who activates (the API token's subject, `cli:<user>`), recorded with the accepted codes. */
  by?: string;
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
 * Makes an import of the engagement its active version: an earlier version again — e.g. after a wrong file was
 * uploaded — or a `held` one that a person accepts. Only a version with complete figures can be activated:
 * `succeeded`, `superseded` or `held`, and not past its retention (a superseded or held version's data expires
 * `retentionSeconds` after it stopped being active or was held, and may be partly deleted by then). The version it
 * replaces becomes `superseded` and starts its own retention.
 *
 * A held import is activated only when `request.accept` names every code of its `heldFor`; the accepted codes are
 * recorded on it with who and when (`accepted`). An import without figures (IMPORT_HAS_NO_FIGURES, or no accounts and
 * no transactions) is never activated. A client without an organisation number takes the activated file's.
 *
 * The import is activated in its own source slot (file, API or opening; see ImportStore.activateImport): the version
 * it replaces is the one active in that slot, and the other slots keep theirs. The store's `activateImport` is
 * called with `force` (an earlier version sorts before the active one). The order key the slot keeps is the later
 * of the two, so the choice stands against late deliveries of uploads made before it; a file uploaded afterwards
 * becomes active as usual.
 *
 * @throws ClientNotFoundError, EngagementNotFoundError, ImportNotFoundError (also for another tenant's ids);
 *   ImportNotActivatableError (failed, queued or running); ImportHasNoFiguresError; ImportHeldError (a held import
 *   whose codes were not all accepted); ImportExpiredError
 */
export async function activateEarlierImport(
  deps: ActivateEarlierImportDeps,
  ref: ImportRef,
  request: ActivationRequest = {},
): Promise<ActivationOutcome> {
  const clock = deps.now ?? (() => new Date());
  const now = clock();
  const engagement = await getEngagement(deps, ref);
  const run = await requireImport(deps, ref);
  if (run.status !== "succeeded" && run.status !== "superseded" && run.status !== "held") {
    throw new ImportNotActivatableError(run);
  }
  const unacceptable = (run.heldFor ?? []).filter((code) => UNACCEPTABLE_CODES.has(code));
  if (unacceptable.length > 0) {
    throw new ImportHasNoFiguresError(run, `it was held for ${unacceptable.join(", ")}, which no one can accept`);
  }
  if (run.counts !== undefined && run.counts.accounts === 0 && run.counts.transactions === 0) {
    throw new ImportHasNoFiguresError(run, "it has no accounts and no transactions");
  }
  const slot = slotOfImport(run);
  const inSlot = engagement.sources === undefined ? activeLegacy(engagement, run) : engagement.sources[slot];
  if (inSlot?.importId === run.importId) return { import: run, changed: false };
  const accepted = run.status === "held" ? acceptedCodes(run, request.accept ?? []) : undefined;
  if (run.expiresAt !== undefined && run.expiresAt <= Math.floor(now.getTime() / 1000)) {
    throw new ImportExpiredError({ ...run, expiresAt: run.expiresAt });
  }

  const orderKey = inSlot !== undefined && inSlot.orderKey > run.orderKey ? inSlot.orderKey : run.orderKey;
  let activation;
  try {
    activation = await deps.importStore.activateImport(ref, {
      orderKey,
      now: now.toISOString(),
      retentionSeconds: deps.retentionSeconds,
      force: true,
      connected: isConnected(await deps.engagementStore.getClient(ref)),
    });
  } catch (error) {
    // Deleted between our read and the write (TTL, or a concurrent delete): the same answer as a missing id.
    if (hasErrorCode(error, "STORE_NOT_FOUND")) throw new ImportNotFoundError(ref);
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
  let activated = (await deps.importStore.getImport(ref)) ?? { ...run, status: "succeeded" };
  if (accepted !== undefined) {
    activated = { ...activated, accepted: { codes: accepted, by: request.by ?? "unknown", at: now.toISOString() } };
    await deps.importStore.saveImport(activated);
  }
  await adoptClientOrgNumber({ engagementStore: deps.engagementStore, now: clock }, ref, run.header?.company.orgNumber);
  return {
    import: activated,
    ...(activation.previousImportId === undefined ? {} : { previousImportId: activation.previousImportId }),
    changed: true,
  };
}

/**
 * The held import's codes the request accepts, in `heldFor` order.
 *
 * @throws ImportHeldError when one of them is not accepted
 */
function acceptedCodes(run: ImportRun, accept: readonly string[]): string[] {
  const heldFor = run.heldFor ?? [];
  const notAccepted = heldFor.filter((code) => !accept.includes(code));
  if (notAccepted.length > 0) throw new ImportHeldError({ ...run, heldFor }, notAccepted);
  return [...heldFor];
}

/**
 * The active import of `run`'s slot on an engagement activated before slots existed: its one active import, taken as
 * being in the slot (the store reads it as the slot of its own kind; an import of another kind only matters for
 * the order key, which then is the later of the two — as it always was).
 */
function activeLegacy(engagement: Engagement, run: ImportRun): ActiveSlot | undefined {
  if (engagement.activeImportId === undefined) return undefined;
  return { importId: engagement.activeImportId, orderKey: engagement.activeOrderKey ?? run.orderKey };
}
