import { SaldoError, type SaldoErrorOptions } from "../errors/SaldoError.ts";

/** Stable codes of the paging module's errors. */
export type PagingErrorCode =
  /** A cursor that saldo did not hand out for this listing and this scope (altered, truncated, from elsewhere). */
  "CURSOR_INVALID";

/** Base error of lib/paging. */
export class PagingError extends SaldoError<PagingErrorCode> {}

/**
 * A paging cursor that is not one saldo handed out for this listing, this tenant and this engagement (and, for the
 * transaction lines, these filters): answered 400 `CURSOR_INVALID`. Asking again with the same cursor fails again;
 * start the listing again without a cursor.
 */
export class InvalidCursorError extends PagingError {
  constructor(reason: string, options: Omit<SaldoErrorOptions, "category"> = {}) {
    super("CURSOR_INVALID", `The paging cursor is not valid here: ${reason}`, { ...options, category: "invalid" });
  }
}
