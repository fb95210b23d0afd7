/**
 * What kind of failure an error is, in terms any transport can answer without knowing the module that raised it:
 * the API maps a category to an HTTP status in one table (lib/api/problem.ts), and a caller can decide to retry
 * (`unavailable`) or to show the message as is (every category but `internal`).
 *
 * - `invalid`: the request cannot be answered as given (a bad value, cursor or query); asking again unchanged fails again.
 * - `unauthenticated`: no credentials, or credentials that were refused.
 * - `not-found`: what the request names does not exist for the caller (another tenant's ids included).
 * - `conflict`: the request is well formed, but the current state does not allow it (a duplicate, a held import).
 * - `too-large`: the request or file is larger than saldo accepts.
 * - `unprocessable`: understood, but the answer cannot be given in the form asked for (an export too large).
 * - `rate-limited`: too many requests; retry after the time given.
 * - `unavailable`: a service saldo depends on is unavailable; a retry later may succeed.
 * - `internal`: anything else, saldo's own fault or a fault of its deployment; callers get no details.
 */
export const ERROR_CATEGORIES = [
  "invalid",
  "unauthenticated",
  "not-found",
  "conflict",
  "too-large",
  "unprocessable",
  "rate-limited",
  "unavailable",
  "internal",
] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** One input field a use case refused: where (relative to the request's body, e.g. `orgNumber`) and what is wrong. */
export interface InvalidField {
  field: string;
  /** What is expected; never the value itself (it may be a secret). */
  message: string;
}

/** Options every saldo error takes: its category, the original error, and what it concerned (never a secret value). */
export interface SaldoErrorOptions {
  /** Defaults to `internal`: an error not classified is answered as the server's fault, without details. */
  category?: ErrorCategory;
  cause?: unknown;
  context?: Record<string, unknown>;
  /**
   * For an `invalid` error caused by fields of the input the caller sent: the fields. A transport answers them as
   * a validation failure of those fields, as it does when its own schema refuses them.
   */
  invalidFields?: readonly InvalidField[];
}

/**
 * The one error model (STYLE.md §7): every module's base error (StoreError, KeyVaultError, AuthError,
 * LocalStackError, ImportError, …) extends this, so a caller — the HTTP layer's single onError above all — can rely
 * on a stable `code`, a `category` saying what kind of failure it is, a `context` naming what was concerned, and
 * `cause` keeping the original error for logs.
 */
export class SaldoError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly category: ErrorCategory;
  readonly context: Readonly<Record<string, unknown>>;
  readonly invalidFields: readonly InvalidField[] | undefined;

  constructor(code: Code, message: string, options: SaldoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.category = options.category ?? "internal";
    this.context = options.context ?? {};
    this.invalidFields = options.invalidFields;
  }
}

/**
 * Whether `error` is a saldo error with the stable `code`: how a use case recognises an error its port documents
 * (`STORE_NOT_FOUND`, `STORE_LEASE_LOST`, …) without importing the adapters that raise it.
 */
export function hasErrorCode(error: unknown, code: string): error is SaldoError {
  return error instanceof SaldoError && error.code === code;
}
