import { SaldoError, type SaldoErrorOptions } from "../errors/SaldoError.ts";
/** Stable codes of the store's errors. */
export type StoreErrorCode =
  /** The database could not be reached or kept throttling after every retry: retry the whole operation later. */
  | "STORE_UNAVAILABLE"
  /** A conditional write lost against existing data (e.g. an import id already used by another import). */
  | "STORE_CONFLICT"
  /** The import (or engagement) named by a write does not exist. */
  | "STORE_NOT_FOUND"
  /** A paging cursor that this store did not hand out (or that was altered). */
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
  | "STORE_REQUEST_FAILED";

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

/** A paging cursor that does not decode to a position this store hands out. */
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

/** Error names DynamoDB uses when it sheds load (the AWS SDK's own retry strategy treats them the same way). */
const THROTTLING_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "Throttling",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "LimitExceededException",
]);

/** Node/undici network failures: the request may or may not have reached DynamoDB; every write here is idempotent. */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNABORTED",
]);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Whether `error` is worth retrying with backoff: throttling, a 5xx, a timeout or a broken connection. */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof StoreError) return error instanceof StoreUnavailableError;
  if (typeof error !== "object" || error === null) return false;
  const sdk = error as SdkLikeError;
  const name = typeof sdk.name === "string" ? sdk.name : "";
  if (THROTTLING_NAMES.has(name)) return true;
  if (name === "TimeoutError" || name === "RequestTimeout" || name === "RequestTimeoutException") return true;
  if (name === "InternalServerError" || name === "ServiceUnavailable") return true;
  const status = sdk.$metadata?.httpStatusCode;
  if (typeof status === "number" && status >= 500) return true;
  if (typeof sdk.code === "string" && NETWORK_CODES.has(sdk.code)) return true;
  return sdk.$retryable !== undefined && sdk.$retryable !== null && sdk.$retryable !== false;
}

/**
 * Turns any failure of a DynamoDB request into a StoreError (a StoreError passes through unchanged):
 * retryable failures become StoreUnavailableError, the rest StoreRequestError.
 */
export function translateSdkError(
  error: unknown,
  operation: string,
  context: Record<string, unknown> = {},
): StoreError {
  if (error instanceof StoreError) return error;
  const name = error instanceof Error ? error.name : "Error";
  const detail = error instanceof Error ? error.message || error.name : String(error);
  const options = { cause: error, context: { operation, sdkError: name, ...context } };
  if (isRetryableError(error)) {
    return new StoreUnavailableError(`DynamoDB ${operation} is unavailable (${name}): ${detail}`, options);
  }
  if (isItemTooLarge(error)) {
    return new StoreItemTooLargeError(
      `DynamoDB ${operation} refused an item over its 400 KB limit: ${detail}`,
      options,
    );
  }
  return new StoreRequestError(`DynamoDB ${operation} failed (${name}): ${detail}`, options);
}

/**
 * DynamoDB's answer to an item over 400 KB: a ValidationException "Item size has exceeded the maximum allowed size"
 * (PutItem, BatchWriteItem) or "Item size to update has exceeded the maximum allowed size" (UpdateItem). A problem of
 * the content, never worth retrying.
 */
function isItemTooLarge(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === "ValidationException" &&
    /item size (to update )?has exceeded the maximum allowed size/i.test(error.message)
  );
}
