import { FormatError } from "../errors.ts";

/**
 * An explicit CSV layout (delimiter, decimal, header row, column mapping) given by the user is invalid or does not
 * fit the file (e.g. `closing=Saldo` but no header cell reads "Saldo"). Detection problems are
 * `AmbiguousLayoutError`s (lib/formats/errors.ts) instead.
 */
export class CsvLayoutOptionError extends FormatError {
  constructor(detail: string, context: ConstructorParameters<typeof FormatError>[2] = {}) {
    super("CSV_LAYOUT_OPTION_INVALID", detail, context);
    this.name = "CsvLayoutOptionError";
  }
}
