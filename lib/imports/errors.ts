import { SaldoError } from "../errors/SaldoError.ts";

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
