import { SaldoError } from "../errors/SaldoError.ts";
import type { SourceLocation } from "../ledger/types.ts";

/**
 * Base error of the formats module: a file that cannot be read as a whole (not XML, truncated, unknown format,
 * unsafe XML, undecidable CSV layout). Per-record problems are issues, not errors. The message names the file,
 * the position and what was expected: `tb.csv:3:14: … (expected …)`.
 */
export class FormatError extends SaldoError {
  readonly fileName: string | undefined;
  readonly location: SourceLocation | undefined;
  readonly expected: string | undefined;

  constructor(
    code: string,
    detail: string,
    context: { fileName?: string; location?: SourceLocation; expected?: string; cause?: unknown } = {},
  ) {
    const where = [context.fileName ?? "<input>", context.location?.line, context.location?.column]
      .filter((part) => part !== undefined)
      .join(":");
    super(code, `${where}: ${detail}${context.expected ? ` (expected ${context.expected})` : ""}`, {
      cause: context.cause,
      context: { fileName: context.fileName, location: context.location, expected: context.expected },
    });
    this.fileName = context.fileName;
    this.location = context.location;
    this.expected = context.expected;
  }
}

/** The bytes are not the format that was asked for, or not one saldo reads (e.g. SAF-T Cash Register). */
export class UnsupportedFormatError extends FormatError {
  constructor(detail: string, context: ConstructorParameters<typeof FormatError>[2] = {}) {
    super("FORMAT_UNSUPPORTED", detail, context);
  }
}

/** The file breaks the format's syntax (not well-formed XML, a SIE line that cannot be tokenized, …). */
export class MalformedInputError extends FormatError {
  constructor(code: string, detail: string, context: ConstructorParameters<typeof FormatError>[2] = {}) {
    super(code, detail, context);
  }
}

/** The file ends before its structure is complete. */
export class TruncatedInputError extends FormatError {
  constructor(detail: string, context: ConstructorParameters<typeof FormatError>[2] = {}) {
    super("FORMAT_TRUNCATED", detail, context);
  }
}

/** XML that tries to declare or use entities (XXE, entity expansion bombs): refused, never resolved. */
export class UnsafeXmlError extends FormatError {
  constructor(detail: string, context: ConstructorParameters<typeof FormatError>[2] = {}) {
    super("XML_UNSAFE", detail, context);
  }
}

/** The CSV layout could not be decided (delimiter, header, number dialect); the message says what was found. */
export class AmbiguousLayoutError extends FormatError {
  constructor(detail: string, context: ConstructorParameters<typeof FormatError>[2] = {}) {
    super("CSV_AMBIGUOUS_LAYOUT", detail, context);
  }
}

/** The archive or its XML entry is encrypted (password-protected): saldo cannot read it. */
export class ZipEncryptedError extends UnsupportedFormatError {
  constructor(detail: string, context: ConstructorParameters<typeof UnsupportedFormatError>[1] = {}) {
    super(detail, context);
    Object.defineProperty(this, "code", { value: "ZIP_ENCRYPTED", enumerable: true });
  }
}

/** The XML entry inflates beyond the unzip limits (lib/formats/saft/unzipSingleXml.ts) (a zip bomb, or a file far larger than any ledger export). */
export class ZipTooLargeError extends MalformedInputError {
  constructor(
    code: "ZIP_TOO_LARGE" | "ZIP_RATIO_TOO_HIGH",
    detail: string,
    context: ConstructorParameters<typeof MalformedInputError>[2] = {},
  ) {
    super(code, detail, context);
  }
}
