import { SaldoError } from "../errors/SaldoError.ts";
import type { ImportRun } from "./types.ts";

/** Base error of the imports module. */
export class ImportError extends SaldoError {}

/** The uploaded object is gone (deleted or never readable): a permanent failure, not worth retrying. */
export class SourceFileMissingError extends ImportError {
  constructor(location: { bucket: string; key: string; versionId?: string }, options?: { cause?: unknown }) {
    super(
      "SOURCE_FILE_MISSING",
      `s3://${location.bucket}/${location.key}${location.versionId ? ` (version ${location.versionId})` : ""} no longer exists`,
      options,
    );
  }
}

/** The file source failed for a reason that may pass (network, throttling): the caller should retry. */
export class SourceUnavailableError extends ImportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SOURCE_UNAVAILABLE", message, options);
  }
}

/**
 * An identifier or code in the file is longer than saldo stores (lib/imports/fieldLimits.ts): a problem of the
 * file's content, so the import fails (`FIELD_TOO_LONG`) instead of being retried.
 */
export class FieldTooLongError extends ImportError {
  constructor(
    message: string,
    context: {
      field: string;
      length: number;
      limit: number;
      fileName: string;
      location?: { line: number; column: number };
    },
  ) {
    super("FIELD_TOO_LONG", message, { context: { ...context } });
  }
}

/**
 * The attempt running an import lost its lease (its heartbeat found that another attempt took the import over, or
 * that the sweeper ended it): it stops without touching the import any more.
 */
export class ImportLeaseLostError extends ImportError {
  constructor(importId: string, options?: { cause?: unknown }) {
    super("IMPORT_LEASE_LOST", `the attempt no longer holds import ${importId}`, {
      ...options,
      context: { importId },
    });
  }
}

/** The file is larger than `MAX_UPLOAD_BYTES` (lib/imports/requestUpload.ts) (or the configured limit). The API answers 413. */
export class UploadTooLargeError extends ImportError {
  readonly limit: number;
  constructor(size: number, limit: number) {
    super("UPLOAD_TOO_LARGE", `the file is ${size} bytes; uploads are limited to ${limit} bytes`, {
      category: "too-large",
      context: { size, limit },
    });
    this.name = "UploadTooLargeError";
    this.limit = limit;
  }
}

/** The file name cannot be the last segment of an upload key. The API answers 400. */
export class InvalidUploadError extends ImportError {
  constructor(reason: string) {
    super("INVALID_UPLOAD", reason, { category: "invalid", invalidFields: [{ field: "fileName", message: reason }] });
    this.name = "InvalidUploadError";
  }
}

/** The signer could not sign (credentials missing or expired): the server's problem, not the caller's. */
export class UploadSigningError extends ImportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("UPLOAD_SIGNING_FAILED", message, options);
    this.name = "UploadSigningError";
  }
}

/**
 * The client cannot be synced: its accounting system is not one saldo reads (`no-system`), no key is stored
 * (`no-key`), or this deployment has no connector for it (`no-connector`). The API answers 409.
 */
export class SyncNotConnectedError extends ImportError {
  constructor(
    message: string,
    context: { clientId: string; system?: string; reason: "no-system" | "no-key" | "no-connector" },
  ) {
    super("SYNC_NOT_CONNECTED", message, { category: "conflict", context: { ...context } });
    this.name = "SyncNotConnectedError";
  }
}

/** A sync of the engagement is already queued or running (`importId`): a second one is refused. The API answers 409. */
export class SyncAlreadyRunningError extends ImportError {
  constructor(ref: { tenantId: string; clientId: string; engagementId: string }, importId: string) {
    super(
      "SYNC_ALREADY_RUNNING",
      `a sync of engagement "${ref.engagementId}" is already running (import ${importId})`,
      {
        category: "conflict",
        context: { clientId: ref.clientId, engagementId: ref.engagementId, importId },
      },
    );
    this.name = "SyncAlreadyRunningError";
  }
}

/** The import to run as a sync does not exist or is not a sync (its source is not an API). */
export class SyncNotQueuedError extends ImportError {
  constructor(ref: { engagementId: string; importId: string }) {
    super("SYNC_NOT_QUEUED", `import ${ref.importId} of engagement "${ref.engagementId}" is not a queued sync`, {
      category: "not-found",
      context: { engagementId: ref.engagementId, importId: ref.importId },
    });
    this.name = "SyncNotQueuedError";
  }
}

/**
 * The company a Tripletex key is to be bound to is not one the key may log into (`GET …/companies` lists those). The
 * API answers 409: nothing was changed.
 */
export class IntegrationCompanyUnreachableError extends ImportError {
  constructor(ref: { clientId: string; system: string; companyId: string }, reachable: number) {
    super(
      "INTEGRATION_COMPANY_UNREACHABLE",
      `the client's ${ref.system} key cannot log into company ${ref.companyId} (it reaches ${reachable} compan${reachable === 1 ? "y" : "ies"}: GET /clients/${ref.clientId}/integrations/${ref.system}/companies lists them)`,
      { category: "conflict", context: { ...ref, reachable } },
    );
    this.name = "IntegrationCompanyUnreachableError";
  }
}

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
