import { SaldoError } from "../errors/SaldoError.ts";
import type { ConnectionCheck, ConnectionStatus } from "./ports.ts";

/**
 * The stable codes of the connectors (PowerOffice Go, Tripletex). Each maps to the {@link ConnectionStatus} a client's
 * integration resource shows, so one failed call is enough to say how the connection stands.
 */
export type ConnectorErrorCode =
  /** 401 after one fresh token/session: the stored key is wrong, revoked or expired. Status `invalid-key`. */
  | "CONNECTOR_INVALID_KEY"
  /** 403, or a module/privilege the key lacks. Status `no-access` (with the missing privileges when known). */
  | "CONNECTOR_NO_ACCESS"
  /** 429 still after the retries, or a `Retry-After` longer than we are willing to wait. Status `rate-limited`. */
  | "CONNECTOR_RATE_LIMITED"
  /** 5xx or a network failure still after the retries. Status `unavailable`. */
  | "CONNECTOR_UNAVAILABLE"
  /** No answer within the timeout, still after the retries. Status `unavailable`. */
  | "CONNECTOR_TIMEOUT"
  /** The answer is not JSON, or does not have the shape we validate (the API changed). Status `unavailable`. */
  | "CONNECTOR_RESPONSE_INVALID"
  /** An amount that is not exact to the øre (more than two decimals, NaN, Infinity, beyond range). Status `unavailable`. */
  | "CONNECTOR_AMOUNT_INVALID"
  /** Another 4xx (400, 404, 409, 422 …): the API refused the request as made. Status `unavailable`. */
  | "CONNECTOR_REQUEST_REJECTED";

/** What every connector error may say about the call that failed (never a secret: path and query are redacted). */
export interface ConnectorErrorContext {
  /** `poweroffice-go`, `tripletex`, or the client's own label. */
  system?: string;
  /** The endpoint as `METHOD /path` (path template or path without query), e.g. `GET /ledger/posting`. */
  endpoint?: string;
  /** The HTTP status of the last answer, when there was one. */
  httpStatus?: number;
  /** How many attempts were made (first try included). */
  attempts?: number;
  [key: string]: unknown;
}

/** Base error of the connectors: a stable code, the connection status it implies, and the call it concerned. */
export class ConnectorError extends SaldoError<ConnectorErrorCode> {
  readonly status: ConnectionStatus;
  declare readonly context: Readonly<ConnectorErrorContext>;

  constructor(
    code: ConnectorErrorCode,
    status: ConnectionStatus,
    message: string,
    options: { cause?: unknown; context?: ConnectorErrorContext } = {},
  ) {
    super(code, message, options);
    this.status = status;
  }

  /** The HTTP status of the last answer, when there was one. */
  get httpStatus(): number | undefined {
    return this.context.httpStatus;
  }

  /** The endpoint (`METHOD /path`), when known. */
  get endpoint(): string | undefined {
    return this.context.endpoint;
  }
}

/** The answer's body as the API sent it, parsed when JSON (for adapters: Tripletex `code` 23000, ProblemDetails …). */
export interface ResponseBodyContext {
  /** Parsed JSON, or the first 2 000 characters of a non-JSON body; absent when empty. */
  body?: unknown;
}

/** 401 (after one fresh token): the key is not valid. */
export class ConnectorInvalidKeyError extends ConnectorError {
  readonly body?: unknown;
  constructor(
    message: string,
    options: { cause?: unknown; context?: ConnectorErrorContext } & ResponseBodyContext = {},
  ) {
    super("CONNECTOR_INVALID_KEY", "invalid-key", message, options);
    this.body = options.body;
  }
}

/** 403, or privileges the key lacks: `missingPrivileges` names them as the system does, when known. */
export class ConnectorNoAccessError extends ConnectorError {
  readonly missingPrivileges: readonly string[];
  readonly body?: unknown;
  constructor(
    message: string,
    options: {
      cause?: unknown;
      context?: ConnectorErrorContext;
      missingPrivileges?: readonly string[];
    } & ResponseBodyContext = {},
  ) {
    super("CONNECTOR_NO_ACCESS", "no-access", message, {
      ...options,
      context: { ...options.context, missingPrivileges: options.missingPrivileges ?? [] },
    });
    this.missingPrivileges = options.missingPrivileges ?? [];
    this.body = options.body;
  }
}

/** 429 after the retries: `retryAfter` (ISO timestamp) says when the API lets us in again, when it said so. */
export class ConnectorRateLimitedError extends ConnectorError {
  readonly retryAfter?: string;
  constructor(
    message: string,
    options: { cause?: unknown; context?: ConnectorErrorContext; retryAfter?: string } = {},
  ) {
    super("CONNECTOR_RATE_LIMITED", "rate-limited", message, {
      ...options,
      context: { ...options.context, ...(options.retryAfter ? { retryAfter: options.retryAfter } : {}) },
    });
    this.retryAfter = options.retryAfter;
  }
}

/** 5xx or network failure after the retries. */
export class ConnectorUnavailableError extends ConnectorError {
  readonly body?: unknown;
  constructor(
    message: string,
    options: { cause?: unknown; context?: ConnectorErrorContext } & ResponseBodyContext = {},
  ) {
    super("CONNECTOR_UNAVAILABLE", "unavailable", message, options);
    this.body = options.body;
  }
}

/** No answer within the timeout, after the retries. */
export class ConnectorTimeoutError extends ConnectorError {
  constructor(
    message: string,
    options: { cause?: unknown; context?: ConnectorErrorContext & { timeoutMs?: number } } = {},
  ) {
    super("CONNECTOR_TIMEOUT", "unavailable", message, options);
  }
}

/** One field that does not match: its path in the body (`values[3].amount`) and what was expected. */
export interface ResponseFieldProblem {
  path: string;
  message: string;
}

/** The answer is not JSON or not the shape validated: the API changed, or a proxy answered. Names endpoint and fields. */
export class ConnectorResponseInvalidError extends ConnectorError {
  readonly problems: readonly ResponseFieldProblem[];
  constructor(
    message: string,
    options: { cause?: unknown; context?: ConnectorErrorContext; problems?: readonly ResponseFieldProblem[] } = {},
  ) {
    super("CONNECTOR_RESPONSE_INVALID", "unavailable", message, {
      ...options,
      context: { ...options.context, problems: options.problems ?? [] },
    });
    this.problems = options.problems ?? [];
  }
}

/** An amount the API sent that is not exact to the øre. `field` is its path in the body when known. */
export class ConnectorAmountInvalidError extends ConnectorError {
  readonly value: unknown;
  constructor(
    message: string,
    options: { cause?: unknown; context?: ConnectorErrorContext & { field?: string }; value?: unknown } = {},
  ) {
    super("CONNECTOR_AMOUNT_INVALID", "unavailable", message, {
      ...options,
      context: { ...options.context, value: describeValue(options.value) },
    });
    this.value = options.value;
  }
}

/** Another 4xx: the request as made was refused. `body` lets adapters recognise e.g. Tripletex's 422 code 23000. */
export class ConnectorRequestRejectedError extends ConnectorError {
  readonly body?: unknown;
  constructor(
    message: string,
    options: { cause?: unknown; context?: ConnectorErrorContext } & ResponseBodyContext = {},
  ) {
    super("CONNECTOR_REQUEST_REJECTED", "unavailable", message, options);
    this.body = options.body;
  }
}

/**
 * The {@link ConnectionCheck} an error implies, for `check()` implementations that must report a status instead of
 * throwing. Errors other than {@link ConnectorError}s are re-thrown: they are bugs, not connection states.
 */
export function connectionCheckFromError(
  error: unknown,
  checkedAt: string = new Date().toISOString(),
): ConnectionCheck {
  if (!(error instanceof ConnectorError)) throw error;
  return {
    status: error.status,
    checkedAt,
    message: error.message,
    ...(error instanceof ConnectorNoAccessError && error.missingPrivileges.length > 0
      ? { missingPrivileges: [...error.missingPrivileges] }
      : {}),
    ...(error instanceof ConnectorRateLimitedError && error.retryAfter ? { retryAfter: error.retryAfter } : {}),
  };
}

function describeValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    return String(value);
  }
}
