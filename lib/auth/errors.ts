import { SaldoError, type SaldoErrorOptions } from "../errors/SaldoError.ts";
/**
 * Stable codes of authentication failures. The API answers 401 (with `WWW-Authenticate: Bearer`) for all of them
 * except `AUTH_KEYS_UNAVAILABLE`, which is the server's problem (503), not the caller's.
 */
export type AuthErrorCode =
  /** No `Authorization: Bearer …` header, or an empty token. */
  | "AUTH_MISSING_TOKEN"
  /** Not a JWT, bad signature, unknown key, wrong issuer or audience, not yet valid, a required claim missing. */
  | "AUTH_INVALID_TOKEN"
  /** A well-signed token whose `exp` has passed (beyond the clock tolerance). */
  | "AUTH_EXPIRED"
  /** A valid token without a usable tenant claim (missing, not a string, or not a valid tenant id). */
  | "AUTH_NO_TENANT"
  /** The issuer's key set could not be fetched or read (network, timeout, malformed JWKS). */
  | "AUTH_KEYS_UNAVAILABLE"
  /** The local issuer's key file cannot be read or created. */
  | "AUTH_LOCAL_ISSUER_FAILED"
  /** The local issuer was asked not to create its key, and there is none (`saldo token` before any stack started). */
  | "AUTH_LOCAL_KEY_MISSING";

/**
 * Base (and only) error of lib/auth. Messages say what was wrong with the token (which claim, which check) but never
 * quote the token; `cause` keeps the jose error for logs.
 */
export class AuthError extends SaldoError<AuthErrorCode> {
  constructor(code: AuthErrorCode, message: string, options: Omit<SaldoErrorOptions, "category"> = {}) {
    super(code, message, { ...options, category: UNAVAILABLE_CODES.has(code) ? "unavailable" : "unauthenticated" });
  }
}

/** The codes that are the server's problem (its keys cannot be read), not the caller's. */
const UNAVAILABLE_CODES: ReadonlySet<AuthErrorCode> = new Set([
  "AUTH_KEYS_UNAVAILABLE",
  "AUTH_LOCAL_ISSUER_FAILED",
  "AUTH_LOCAL_KEY_MISSING",
]);
