import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { IdSchema } from "../ids/ids.ts";
import { AuthError } from "./errors.ts";
import type { Principal } from "./types.ts";

/** The claim that names the tenant unless configured otherwise (a namespaced private claim, RFC 7519 §4.3). */
export const DEFAULT_TENANT_CLAIM = "saldo:tenant";

/** Signature algorithms accepted by default: what common OIDC issuers (Cognito, Entra ID, Auth0) and the local issuer sign with. */
export const DEFAULT_ALGORITHMS = ["RS256", "ES256"] as const;

/** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

export interface VerifyAccessTokenOptions {
  /** Expected `iss` (exact match). */
  issuer: string;
  /** Expected `aud` (the token's audience must contain it). */
  audience: string;
  /** The issuer's keys: `createRemoteJWKSet(new URL(jwks_uri))` in a server, `createLocalJWKSet(jwks)` locally. */
  jwks: JWTVerifyGetKey;
  /** Claim holding the tenant id; default {@link DEFAULT_TENANT_CLAIM}. */
  tenantClaim?: string;
  algorithms?: readonly string[];
  clockToleranceSeconds?: number;
  /** "Now" for expiry checks; tests pin it. */
  currentDate?: Date;
}

/**
 * Verifies a bearer access token (signature against the issuer's JWKS, `iss`, `aud`, `exp`/`nbf` with a small clock
 * tolerance, `sub` and `exp` present) and returns who is calling. This is the local (and any non-API-Gateway) path;
 * behind API Gateway's JWT authorizer the handler uses {@link principalFromVerifiedClaims} instead.
 *
 * @throws AuthError with code AUTH_MISSING_TOKEN, AUTH_INVALID_TOKEN, AUTH_EXPIRED, AUTH_NO_TENANT or
 * AUTH_KEYS_UNAVAILABLE.
 */
export async function verifyAccessToken(
  token: string | undefined,
  options: VerifyAccessTokenOptions,
): Promise<Principal> {
  if (token === undefined || token.trim() === "")
    throw new AuthError("AUTH_MISSING_TOKEN", "no bearer token was given");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token.trim(), options.jwks, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: [...(options.algorithms ?? DEFAULT_ALGORITHMS)],
      clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["sub", "exp"],
      ...(options.currentDate === undefined ? {} : { currentDate: options.currentDate }),
    }));
  } catch (error) {
    throw translateJoseError(error);
  }
  return principalFromVerifiedClaims(payload, { tenantClaim: options.tenantClaim ?? DEFAULT_TENANT_CLAIM });
}

/**
 * The token of an `Authorization` header value (`Bearer <token>`, scheme case-insensitive, RFC 6750 §2.1).
 *
 * @throws AuthError AUTH_MISSING_TOKEN when the header is absent, empty, or of another scheme.
 */
export function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  if (!match?.[1]) throw new AuthError("AUTH_MISSING_TOKEN", "no `Authorization: Bearer <token>` header");
  return match[1];
}

/**
 * The tenant id of claims that were already verified (API Gateway's JWT authorizer puts them in
 * `event.requestContext.authorizer.jwt.claims`, every value a string).
 *
 * @throws AuthError AUTH_NO_TENANT when the claim is absent, not a string, or not a valid id (letters, digits, `.`,
 * `_`, `-`; 1–64 characters, as in every key of saldo).
 */
export function tenantFromVerifiedClaims(
  claims: Readonly<Record<string, unknown>>,
  tenantClaim: string = DEFAULT_TENANT_CLAIM,
): string {
  const value = claims[tenantClaim];
  if (value === undefined || value === null || value === "") {
    throw new AuthError("AUTH_NO_TENANT", `the token has no "${tenantClaim}" claim`, {
      context: { claim: tenantClaim },
    });
  }
  if (typeof value !== "string") {
    throw new AuthError("AUTH_NO_TENANT", `the token's "${tenantClaim}" claim is not a string`, {
      context: { claim: tenantClaim },
    });
  }
  const checked = IdSchema.safeParse(value);
  if (!checked.success) {
    throw new AuthError("AUTH_NO_TENANT", `the token's "${tenantClaim}" claim is not a valid tenant id`, {
      context: { claim: tenantClaim },
    });
  }
  return checked.data;
}

/**
 * Who is calling, from verified claims: the tenant ({@link tenantFromVerifiedClaims}), `sub`, and the scopes — given
 * separately by API Gateway (`authorizer.jwt.scopes`), otherwise read from `scope` (space-separated, RFC 8693 §4.2)
 * or `scp` (array or string, as Entra ID and Okta issue it).
 *
 * @throws AuthError AUTH_NO_TENANT, or AUTH_INVALID_TOKEN when `sub` is missing.
 */
export function principalFromVerifiedClaims(
  claims: Readonly<Record<string, unknown>>,
  options: { tenantClaim?: string; scopes?: readonly string[] | null } = {},
): Principal {
  const subject = claims.sub;
  if (typeof subject !== "string" || subject === "") {
    throw new AuthError("AUTH_INVALID_TOKEN", 'the token has no "sub" claim', { context: { claim: "sub" } });
  }
  const tenantId = tenantFromVerifiedClaims(claims, options.tenantClaim ?? DEFAULT_TENANT_CLAIM);
  const scopes = options.scopes ? [...options.scopes] : scopesOf(claims);
  return { tenantId, subject, scopes };
}

function scopesOf(claims: Readonly<Record<string, unknown>>): string[] {
  for (const value of [claims.scope, claims.scp]) {
    if (typeof value === "string") return value.split(/\s+/).filter(Boolean);
    if (Array.isArray(value))
      return value.filter((scope): scope is string => typeof scope === "string" && scope !== "");
  }
  return [];
}

/** jose's errors → AuthError. Only jose's own messages are used: they name the failed check, never the token. */
function translateJoseError(error: unknown): AuthError {
  // Already ours: a key set that could not be found (lib/auth/remoteIssuer.ts discovery).
  if (error instanceof AuthError) return error;
  if (error instanceof errors.JWTExpired) {
    return new AuthError("AUTH_EXPIRED", "the token has expired", { cause: error, context: { claim: "exp" } });
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new AuthError("AUTH_KEYS_UNAVAILABLE", `the issuer's key set could not be read (${error.code})`, {
      cause: error,
    });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new AuthError(
      "AUTH_INVALID_TOKEN",
      `the token's "${error.claim}" claim is not accepted (${error.reason}): ${error.message}`,
      {
        cause: error,
        context: { claim: error.claim, reason: error.reason },
      },
    );
  }
  if (error instanceof errors.JOSEError) {
    return new AuthError("AUTH_INVALID_TOKEN", `the token is not valid (${error.code}): ${error.message}`, {
      cause: error,
    });
  }
  // Anything else came from fetching the key set (a network failure of createRemoteJWKSet), not from the token.
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new AuthError("AUTH_KEYS_UNAVAILABLE", `the issuer's key set could not be fetched (${detail})`, {
    cause: error,
  });
}
