import { SaldoError } from "../../errors/SaldoError.ts";

/** Stable codes of the local stack's startup failures. */
export type LocalStackStartErrorCode =
  "STACK_ALREADY_RUNNING" | "PORT_IN_USE" | "HANDLER_NOT_FOUND" | "WEB_BUILD_FAILED";

/**
 * The local stack (`saldo start`) could not start: `code` is stable, `context` names the port, folder or handler,
 * `cause` keeps the underlying error. Emulator failures keep their own errors (lib/local/errors.ts).
 */
export class LocalStackStartError extends SaldoError<LocalStackStartErrorCode> {}
