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

/**
 * The client cannot be synced: its accounting system is not one saldo reads (`no-system`), no key is stored
 * (`no-key`), or this deployment has no connector for it (`no-connector`). The API answers 409.
 */
export class SyncNotConnectedError extends ImportError {
  constructor(message: string, context: { clientId: string; system?: string; reason: "no-system" | "no-key" | "no-connector" }) {
    super("SYNC_NOT_CONNECTED", message, { context: { ...context } });
  }
}

/** A sync of the engagement is already queued or running (`importId`): a second one is refused. The API answers 409. */
export class SyncAlreadyRunningError extends ImportError {
  constructor(ref: { tenantId: string; clientId: string; engagementId: string }, importId: string) {
    super("SYNC_ALREADY_RUNNING", `a sync of engagement "${ref.engagementId}" is already running (import ${importId})`, {
      context: { clientId: ref.clientId, engagementId: ref.engagementId, importId },
    });
  }
}

/** The import to run as a sync does not exist or is not a sync (its source is not an API). */
export class SyncNotQueuedError extends ImportError {
  constructor(ref: { engagementId: string; importId: string }) {
    super("SYNC_NOT_QUEUED", `import ${ref.importId} of engagement "${ref.engagementId}" is not a queued sync`, {
      context: { engagementId: ref.engagementId, importId: ref.importId },
    });
  }
}
