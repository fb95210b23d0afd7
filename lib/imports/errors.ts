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
