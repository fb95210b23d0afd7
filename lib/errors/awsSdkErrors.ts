import type { SaldoError, SaldoErrorOptions } from "./SaldoError.ts";

/**
 * The one translator of AWS SDK failures (STYLE.md §7: adapters translate SDK errors; raw SDK errors never reach
 * `lib/` callers), shared by the DynamoDB stores (lib/store) and the Secrets Manager key vault (lib/secrets). Each
 * module keeps its own error classes; this decides which of them a failure becomes, the same way for every service.
 */

/** Error names AWS services use when they shed load (the AWS SDK's own retry strategy treats them the same way). */
const THROTTLING_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "Throttling",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "LimitExceededException",
]);

/** Server-side failures, by name, of the services saldo calls (DynamoDB, Secrets Manager). */
const SERVER_ERROR_NAMES = new Set([
  "InternalServerError",
  "InternalServiceError",
  "ServiceUnavailable",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

/** Node/undici network failures: the request may or may not have reached the service. */
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

/** Whether an AWS SDK failure is transient: throttling, a 5xx, a timeout or a broken connection. */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const sdk = error as SdkLikeError;
  const name = typeof sdk.name === "string" ? sdk.name : "";
  if (THROTTLING_NAMES.has(name) || SERVER_ERROR_NAMES.has(name)) return true;
  const status = sdk.$metadata?.httpStatusCode;
  if (typeof status === "number" && status >= 500) return true;
  if (typeof sdk.code === "string" && NETWORK_CODES.has(sdk.code)) return true;
  return sdk.$retryable !== undefined && sdk.$retryable !== null && sdk.$retryable !== false;
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

/** A module's error class as the translator builds it. */
type ErrorClass<E> = new (message: string, options: SaldoErrorOptions) => E;

/** Which of a module's error classes each kind of failure becomes. */
export interface AwsErrorClasses<E extends SaldoError> {
  /** The module's base class: an error of it passes through unchanged (already translated). */
  base: abstract new (...args: never[]) => E;
  /** Transient: throttling, a 5xx, a timeout, a broken connection. */
  unavailable: ErrorClass<E>;
  /** `ResourceNotFoundException`, for services where it means the thing asked for (a secret), not the table. */
  notFound?: ErrorClass<E>;
  /** An item over DynamoDB's 400 KB limit. */
  tooLarge?: ErrorClass<E>;
  /** Anything else (access denied, a bad request, a missing table). */
  failed: ErrorClass<E>;
}

/**
 * Turns any failure of an AWS SDK request into the module's error (an error of the module passes through). The
 * message quotes the SDK error's name and message only — AWS messages name resources, never secret values — and
 * `context` gets `operation` and `sdkError`; `cause` keeps the original error for logs.
 */
export function translateAwsSdkError<E extends SaldoError>(
  error: unknown,
  request: { service: string; operation: string; context?: Record<string, unknown> },
  classes: AwsErrorClasses<E>,
): E {
  if (error instanceof classes.base) return error;
  const { service, operation } = request;
  const name = error instanceof Error ? error.name : "Error";
  const detail = error instanceof Error ? error.message || error.name : String(error);
  const options = { cause: error, context: { operation, sdkError: name, ...request.context } };
  if (classes.notFound && name === "ResourceNotFoundException") {
    return new classes.notFound(`${service} ${operation}: no such resource (${detail})`, options);
  }
  if (isTransientAwsError(error)) {
    return new classes.unavailable(`${service} ${operation} is unavailable (${name}): ${detail}`, options);
  }
  if (classes.tooLarge && isItemTooLarge(error)) {
    return new classes.tooLarge(`${service} ${operation} refused an item over its 400 KB limit: ${detail}`, options);
  }
  return new classes.failed(`${service} ${operation} failed (${name}): ${detail}`, options);
}
