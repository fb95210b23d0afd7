import { translateAwsSdkError } from "../errors/awsSdkErrors.ts";
import { SaldoError, type SaldoErrorOptions } from "../errors/SaldoError.ts";
/** Stable codes of the store's errors. */
export type StoreErrorCode =
  /** The database could not be reached or kept throttling after the SDK's retries: retry the whole operation later. */
  | "STORE_UNAVAILABLE"
  /** A conditional write lost against existing data (e.g. an import id already used by another import). */
  | "STORE_CONFLICT"
  /** The import (or engagement) named by a write does not exist. */
  | "STORE_NOT_FOUND"
  /** A paging position this store does not hand out (the cursor holding it was forged). */
  | "STORE_INVALID_CURSOR"
  /** A query the store cannot answer as asked (e.g. a limit below 1). */
  | "STORE_INVALID_QUERY"
  /** An item read back does not have the shape this store writes (corrupted or written by something else). */
  | "STORE_CORRUPT_ITEM"
  /** A single value cannot be stored within DynamoDB's 400 KB item limit even on its own. */
  | "STORE_ITEM_TOO_LARGE"
  /** An attempt wrote to an import it no longer holds (its lease expired and another attempt or the sweeper took over). */
  | "STORE_LEASE_LOST"
  /** An import writer was used after finish() or abort(). */
  | "STORE_WRITER_CLOSED"
  /** Any other failure of the database request (bad request, missing table, access denied). */
  | "STORE_REQUEST_FAILED"
  /** The ingest function could not be invoked to re-deliver an upload's event (LambdaIngestRedelivery). */
  | "REDELIVERY_FAILED"
  /** A queued sync could not be handed to its sync queue (SqsSyncDispatcher). */
  | "SYNC_DISPATCH_FAILED";

/**
 * Base error of lib/store. Adapters translate every SDK failure into one of its subclasses (STYLE.md §7), so callers
 * never see a raw AWS SDK error: `code` is stable, `context` says which table/key/import was concerned, `cause` keeps
 * the original error for logs.
 */
export class StoreError extends SaldoError<StoreErrorCode> {}

type StoreErrorOptions = SaldoErrorOptions;

/** Throttling that outlasted every retry, a network failure, or a 5xx from the service: a retry later may succeed. */
export class StoreUnavailableError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("STORE_UNAVAILABLE", message, { ...options, category: "unavailable" });
  }
}

/** A conditional write found data it did not expect (e.g. an import id already claimed by another source). */
export class StoreConflictError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("STORE_CONFLICT", message, { ...options, category: "conflict" });
  }
}

/** A write addressed an import or engagement that does not exist (under this tenant). */
export class StoreNotFoundError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("STORE_NOT_FOUND", message, { ...options, category: "not-found" });
  }
}

/** A paging position this store never hands out (the use case answers it as an invalid cursor). */
export class StoreInvalidCursorError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("STORE_INVALID_CURSOR", message, { ...options, category: "invalid" });
  }
}

/** A query the store cannot answer as asked. */
export class StoreInvalidQueryError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("STORE_INVALID_QUERY", message, { ...options, category: "invalid" });
  }
}

/** An item read back failed validation (zod) or belongs to another tenant than the one asking. */
export class StoreCorruptItemError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("STORE_CORRUPT_ITEM", message, options);
  }
}

/** One value (a single ledger line, an oversized report) cannot fit in an item even alone. */
export class StoreItemTooLargeError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("STORE_ITEM_TOO_LARGE", message, options);
  }
}

/** The attempt no longer holds the import's lease: another attempt took it over, or the sweeper ended it. */
export class StoreLeaseLostError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("STORE_LEASE_LOST", message, options);
  }
}

/** An import writer was used after it finished or aborted. */
export class StoreWriterClosedError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("STORE_WRITER_CLOSED", message, options);
  }
}

/** Any other request failure (validation, missing table, access denied): retrying as is will not help. */
export class StoreRequestError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("STORE_REQUEST_FAILED", message, options);
  }
}

/** The ingest function could not be invoked (throttled, missing, not allowed): the next sweep tries again. */
export class RedeliveryFailedError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("REDELIVERY_FAILED", message, { ...options, category: "unavailable" });
  }
}

/** The sync queue refused the message (throttled, missing, not allowed): the sync stays queued for the sweeper. */
export class SyncDispatchFailedError extends StoreError {
  constructor(message: string, options: StoreErrorOptions = {}) {
    super("SYNC_DISPATCH_FAILED", message, { ...options, category: "unavailable" });
  }
}

/**
 * Turns any failure of a DynamoDB request into a StoreError (a StoreError passes through unchanged), through the
 * translator saldo's adapters share (lib/errors/awsSdkErrors.ts): transient failures become StoreUnavailableError, an
 * item over 400 KB StoreItemTooLargeError, the rest StoreRequestError.
 */
export function translateSdkError(
  error: unknown,
  operation: string,
  context: Record<string, unknown> = {},
): StoreError {
  return translateAwsSdkError(
    error,
    { service: "DynamoDB", operation, context },
    {
      base: StoreError,
      unavailable: StoreUnavailableError,
      tooLarge: StoreItemTooLargeError,
      failed: StoreRequestError,
    },
  );
}
