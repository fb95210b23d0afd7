import { SaldoError, type SaldoErrorOptions } from "../errors/SaldoError.ts";

/** Stable codes of {@link ExportError}. */
export type ExportErrorCode = "EXPORT_TOO_LARGE" | "EXPORT_AMOUNT_NOT_EXACT";

/** Base error of lib/export: the figures cannot be exported in the format asked for. */
export class ExportError extends SaldoError<ExportErrorCode> {
  constructor(code: ExportErrorCode, message: string, options: Omit<SaldoErrorOptions, "category"> = {}) {
    super(code, message, { ...options, category: "unprocessable" });
  }
}

/**
 * The export would exceed what one answer of this kind can carry (an XLSX of the transactions through the API,
 * whose answer is limited in size). The message says which form works instead.
 */
export class ExportTooLargeError extends ExportError {
  constructor(message: string, context: Record<string, unknown>) {
    super("EXPORT_TOO_LARGE", message, { context });
  }
}

/**
 * An amount too large to be a spreadsheet number exact to the øre (XLSX numbers are binary floating point with
 * 15 significant digits).
 */
export class AmountNotExactInSpreadsheetError extends ExportError {
  constructor(amount: string) {
    super(
      "EXPORT_AMOUNT_NOT_EXACT",
      `the amount ${amount} has more than 15 digits: a spreadsheet number cannot hold it exactly to the øre`,
      {
        context: { amount },
      },
    );
  }
}
