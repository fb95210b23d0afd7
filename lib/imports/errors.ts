/** Base error of the imports module. */
export class ImportError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ImportError";
    this.code = code;
  }
}

/** The uploaded object is gone (deleted or never readable): a permanent failure, not worth retrying. */
export class SourceFileMissingError extends ImportError {
  constructor(location: { bucket: string; key: string; versionId?: string }, options?: { cause?: unknown }) {
    super(
      "SOURCE_FILE_MISSING",
      `s3://${location.bucket}/${location.key}${location.versionId ? ` (version ${location.versionId})` : ""} no longer exists`,
      options,
    );
    this.name = "SourceFileMissingError";
  }
}

/** The file source failed for a reason that may pass (network, throttling): the caller should retry. */
export class SourceUnavailableError extends ImportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SOURCE_UNAVAILABLE", message, options);
    this.name = "SourceUnavailableError";
  }
}
