import { ImportError } from "./errors.ts";
import type { ImportStore } from "./ports.ts";
import type { ImportRef, ImportRun } from "./types.ts";

/**
 * Base error of the read/activate use cases of lib/imports (trial balance view, compare, activate, transaction lines).
 *
 * Tenant isolation: every lookup is made with the caller's tenant id, so another tenant's id is simply not found —
 * the error (code, message, context) is the same as for an id that never existed, and says nothing about other
 * tenants.
 */
export class ImportViewError extends ImportError {
  /**
   * @param category `not-found`, `conflict` (the request is well formed but the state of the engagement does not
   *   allow it) or `invalid`; lib/ stays free of HTTP, the API maps the category to a status in one place.
   */
  constructor(
    category: "not-found" | "conflict" | "invalid",
    code: string,
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    // context: the ids concerned (the caller's own ids only).
    super(code, message, { ...options, category });
  }
}

/** The import does not exist in this tenant's engagement (an import of another engagement is not found either). */
export class ImportNotFoundError extends ImportViewError {
  constructor(ref: { engagementId: string; importId: string }) {
    super(
      "not-found",
      "IMPORT_NOT_FOUND",
      `import "${ref.importId}" of engagement "${ref.engagementId}" does not exist`,
      {
        context: { engagementId: ref.engagementId, importId: ref.importId },
      },
    );
  }
}

/** Nothing has been imported into the engagement yet (or no import succeeded): there are no figures to show. */
export class NoActiveImportError extends ImportViewError {
  constructor(ref: { engagementId: string }) {
    super(
      "conflict",
      "NO_ACTIVE_IMPORT",
      `Engagement "${ref.engagementId}" has no active import yet: upload a file and wait for its import to succeed`,
      { context: { engagementId: ref.engagementId } },
    );
  }
}

/**
 * Only a `succeeded` or `superseded` version — or a `held` one, accepting its reasons — has complete figures and can
 * be made the active version.
 */
export class ImportNotActivatableError extends ImportViewError {
  constructor(run: ImportRun) {
    super(
      "conflict",
      "IMPORT_NOT_ACTIVATABLE",
      `Import "${run.importId}" cannot be made active: ${whyNoFigures(run)}`,
      {
        context: { engagementId: run.engagementId, importId: run.importId, status: run.status },
      },
    );
  }
}

/**
 * The import has no complete figures to read (it failed, or is still queued or running), or none at all (the
 * activation rule IMPORT_HAS_NO_FIGURES: no account with a readable amount and no transactions) — `reason` says which.
 */
export class ImportHasNoFiguresError extends ImportViewError {
  constructor(run: ImportRun, reason?: string) {
    super(
      "conflict",
      "IMPORT_HAS_NO_FIGURES",
      `Import "${run.importId}" has no figures: ${reason ?? whyNoFigures(run)}`,
      {
        context: { engagementId: run.engagementId, importId: run.importId, status: run.status },
      },
    );
  }
}

/**
 * A held import (status `held`, see lib/imports/activationRules.ts) can only be activated by a person who accepts
 * every code it was held for; `notAccepted` lists those the request did not name.
 */
export class ImportHeldError extends ImportViewError {
  readonly heldFor: readonly string[];
  readonly notAccepted: readonly string[];
  constructor(run: ImportRun & { heldFor: string[] }, notAccepted: readonly string[]) {
    super(
      "conflict",
      "IMPORT_HELD",
      `Import "${run.importId}" is held for ${run.heldFor.join(", ")}: activate it only by accepting ` +
        `${notAccepted.length === run.heldFor.length ? "them" : `also ${notAccepted.join(", ")}`} ` +
        `(API: {"accept": [${run.heldFor.map((code) => `"${code}"`).join(", ")}]}; CLI: --accept ${run.heldFor.join(",")})`,
      {
        context: { engagementId: run.engagementId, importId: run.importId, heldFor: run.heldFor, notAccepted },
      },
    );
    this.heldFor = [...run.heldFor];
    this.notAccepted = [...notAccepted];
  }
}

/**
 * A superseded or held version past its retention time: DynamoDB TTL may already have deleted part of its data, so its
 * figures can no longer be trusted to be complete.
 */
export class ImportExpiredError extends ImportViewError {
  constructor(run: ImportRun & { expiresAt: number }) {
    const at = new Date(run.expiresAt * 1000).toISOString();
    super(
      "conflict",
      "IMPORT_EXPIRED",
      `Import "${run.importId}" was ${run.status === "held" ? "held" : "superseded"} and its retention ended at ${at}; ` +
        `its figures may already be deleted. ` +
        `Upload the file again to import it anew`,
      { context: { engagementId: run.engagementId, importId: run.importId, expiresAt: run.expiresAt } },
    );
  }
}

/**
 * A paging cursor issued for another version of the engagement than the active one (a version was activated
 * between two pages): continuing would mix the lines of two versions, so paging must start again.
 */
export class StaleCursorError extends ImportViewError {
  constructor(ref: { engagementId: string }, cursorImportId: string, activeImportId: string) {
    super(
      "conflict",
      "CURSOR_STALE",
      `The cursor belongs to import "${cursorImportId}", but the active version of engagement ` +
        `"${ref.engagementId}" is now import "${activeImportId}": start paging again without a cursor`,
      { context: { engagementId: ref.engagementId, cursorImportId, activeImportId } },
    );
  }
}

/** A transaction query outside what the use case answers (e.g. a limit above 1000). */
export class InvalidTransactionQueryError extends ImportViewError {
  readonly field: string;
  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super("invalid", "INVALID_TRANSACTION_QUERY", message, { ...options, context: { field } });
    this.field = field;
  }
}

function whyNoFigures(run: ImportRun): string {
  switch (run.status) {
    case "failed":
      return `it failed${run.failure ? ` (${run.failure.code}: ${run.failure.message})` : ""}`;
    case "running":
      return "it is still running";
    case "queued":
      return `it is queued for a retry${run.failure ? ` after ${run.failure.code}: ${run.failure.message}` : ""}`;
    default:
      return `its status is ${run.status}`;
  }
}

/**
 * Reads an import of the caller's engagement.
 *
 * @throws ImportNotFoundError — also for an import of another engagement or tenant.
 */
export async function requireImport(deps: { importStore: ImportStore }, ref: ImportRef): Promise<ImportRun> {
  const run = await deps.importStore.getImport(ref);
  if (run === undefined) throw new ImportNotFoundError(ref);
  return run;
}

/**
 * Refuses to read an import whose figures may be incomplete: not finished, failed, or past its retention. A held
 * import's figures are complete (it was read to the end): they can be compared before a person activates it.
 *
 * @param nowSeconds Epoch seconds.
 * @throws ImportHasNoFiguresError, ImportExpiredError
 */
export function assertHasFigures(run: ImportRun, nowSeconds: number): void {
  if (run.status !== "succeeded" && run.status !== "superseded" && run.status !== "held") {
    throw new ImportHasNoFiguresError(run);
  }
  if (run.expiresAt !== undefined && run.expiresAt <= nowSeconds) {
    throw new ImportExpiredError({ ...run, expiresAt: run.expiresAt });
  }
}
