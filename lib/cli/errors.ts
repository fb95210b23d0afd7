import { SaldoError } from "../errors/SaldoError.ts";

/**
 * A command line that cannot be run as given (unknown command, missing argument). Exit code 2. `nb` is the same in
 * bokmål (what the CLI prints by default; lib/presentation/errorTexts.ts), `message` the English.
 */
export class UsageError extends SaldoError<"CLI_USAGE"> {
  readonly nb: string | undefined;
  constructor(message: string, nb: string | undefined) {
    super("CLI_USAGE", message, { category: "invalid" });
    this.nb = nb;
  }
}

/** `--name "value"` is not an id (the ids of the upload key layout): the schema's reason, or that it is not one. */
export function invalidIdError(name: string, value: string, reason = "not a valid id"): UsageError {
  return new UsageError(
    `--${name} "${value}": ${reason}`,
    `--${name} «${value}» er ikke en gyldig id: bare bokstaver, sifre, «.», «_» og «-», med en bokstav eller et siffer først (høyst 64 tegn).`,
  );
}

/** Stable codes of {@link TargetNotReachableError}. */
export type TargetErrorCode = "TARGET_CONFIG_INVALID" | "LOCAL_STACK_NOT_RUNNING";

/**
 * The pipeline commands do not know where to go: the environment is inconsistent, or the local stack is not
 * running. Exit code 1 with the message, which says what to do.
 */
export class TargetNotReachableError extends SaldoError<TargetErrorCode> {
  constructor(
    code: TargetErrorCode,
    message: string,
    options: {
      cause?: unknown;
      /** For LOCAL_STACK_NOT_RUNNING: the stack file looked for, and why it does not lead to a running stack. */
      context?: { file: string; reason: "no-stack-file" | "not-a-stack-file" | "process-ended"; pid?: number };
    } = {},
  ) {
    super(code, message, { cause: options.cause, ...(options.context ? { context: options.context } : {}) });
  }
}

/** The upload was stored, but its import did not finish within the wait (still running, or dead-lettered). */
export class ImportWaitTimeoutError extends SaldoError<"IMPORT_WAIT_TIMEOUT"> {
  constructor(message: string) {
    super("IMPORT_WAIT_TIMEOUT", message);
  }
}

/** The upload was stored but not imported: its key or its client/engagement was refused (the reason says which). */
export class UploadRejectedError extends SaldoError<"UPLOAD_REJECTED"> {
  constructor(message: string) {
    super("UPLOAD_REJECTED", message);
  }
}

/** Stable codes of {@link NothingToShowError}: those of the use cases' not-found and no-active-version errors. */
export type NothingToShowCode = "CLIENT_NOT_FOUND" | "ENGAGEMENT_NOT_FOUND" | "NO_ACTIVE_IMPORT";

/**
 * The client or engagement asked for does not exist (or the client was deleted), or the engagement has no active
 * version yet — as the use cases (and so the API, 404/409) say it, with where the CLI looked. Exit code 1.
 */
export class NothingToShowError extends SaldoError<NothingToShowCode> {
  constructor(
    code: NothingToShowCode,
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
  }
}

/**
 * The use case's own not-found or no-active-version error as a {@link NothingToShowError} naming the target (local
 * stack or AWS); any other error unchanged.
 */
export function nothingToShow(error: unknown, where: string): unknown {
  if (
    error instanceof SaldoError &&
    ["CLIENT_NOT_FOUND", "ENGAGEMENT_NOT_FOUND", "NO_ACTIVE_IMPORT"].includes(error.code)
  ) {
    return new NothingToShowError(error.code as NothingToShowCode, `${error.message} (${where})`, {
      cause: error,
      context: { ...error.context, where },
    });
  }
  return error;
}

/** Stable codes of {@link TokenRefusedError}. */
export type TokenRefusedCode = "LOCAL_SIGNING_KEY_MISSING" | "LOCAL_SIGNING_KEY_MISMATCH";

/**
 * `saldo token` will not print a token the local stack would reject: there is no signing key in the data folder (no
 * stack has started there), or the running stack signs with another key. Exit code 1 with what to do.
 */
export class TokenRefusedError extends SaldoError<TokenRefusedCode> {
  constructor(
    code: TokenRefusedCode,
    message: string,
    options: { cause?: unknown; context?: { dataDir: string; url?: string; pid?: number } } = {},
  ) {
    super(code, message, options);
  }
}

/**
 * The upload stopped before the file was stored whole (Ctrl-C): the parts stored so far are recorded, and running the
 * same command again resumes it. Exit code 130.
 */
export class UploadInterruptedError extends SaldoError<"UPLOAD_INTERRUPTED"> {
  constructor(message: string) {
    super("UPLOAD_INTERRUPTED", message);
  }
}

/**
 * S3 refused or failed a request of the upload (the SDK's own retries included); the parts stored so far are
 * recorded, so running the same command again resumes. Exit code 1.
 */
export class UploadTransferError extends SaldoError<"UPLOAD_TRANSFER_FAILED"> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("UPLOAD_TRANSFER_FAILED", message, options);
  }
}

/** Stable codes of {@link ConnectRefusedError}. */
export type ConnectRefusedCode = "INTEGRATION_COMPANY_UNREACHABLE" | "ORG_NUMBER_TAKEN" | "SYNC_NOT_CONNECTED";

/**
 * `saldo connect` refused before storing anything: `--company` names a company the key does not reach (the code of
 * `PUT …/integrations/tripletex/company`; the message lists the companies it does reach), the company's organisation number is another client's, or the target has no connector for the
 * system. Exit code 1.
 */
export class ConnectRefusedError extends SaldoError<ConnectRefusedCode> {
  constructor(code: ConnectRefusedCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, { context });
  }
}

/** `saldo refresh --now`: the refresh function itself failed (it could not read the schedule); the message says why. */
export class RefreshRoundFailedError extends SaldoError<"REFRESH_ROUND_FAILED"> {
  constructor(message: string) {
    super("REFRESH_ROUND_FAILED", message);
  }
}
