import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { AuthError } from "./errors.ts";
import { DEFAULT_TENANT_CLAIM, type VerifyAccessTokenOptions } from "./verifyAccessToken.ts";

/** The OIDC issuer a deployment's API trusts: what API Gateway's JWT authorizer is configured with (infra/api.ts). */
export interface TrustedIssuer {
  /** `iss` of accepted tokens, an https (or loopback http) URL; its discovery document names the key set. */
  issuer: string;
  /** Expected `aud`. */
  audience: string;
  /** Claim holding the tenant id; default {@link DEFAULT_TENANT_CLAIM}. */
  tenantClaim?: string;
}

/** The part of the discovery document (OpenID Connect Discovery 1.0 §3) a resource server reads. */
const DiscoverySchema = z.object({ issuer: z.string().min(1), jwks_uri: z.url() });

/** Discovery and key fetches give up after this long (the key set is then AUTH_KEYS_UNAVAILABLE). */
const FETCH_TIMEOUT_MS = 5000;

/**
 * Options for `verifyAccessToken` that accept the tokens of a remote OIDC issuer, found as API Gateway finds it:
 * `${issuer}/.well-known/openid-configuration` names `jwks_uri`, whose keys jose fetches and caches (refetched on an
 * unknown `kid`, so key rotation works). Discovery happens on the first token, not at start-up, and is retried on
 * the next token when it failed, so the API can start before its issuer.
 *
 * @throws AuthError AUTH_KEYS_UNAVAILABLE (from the verification) when the discovery document cannot be fetched, is
 * not JSON of that shape, or names another issuer.
 */
export function remoteIssuerVerifyOptions(trusted: TrustedIssuer): VerifyAccessTokenOptions {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const discover = async (): Promise<JWTVerifyGetKey> => {
    const url = new URL(
      ".well-known/openid-configuration",
      trusted.issuer.endsWith("/") ? trusted.issuer : `${trusted.issuer}/`,
    );
    let body: unknown;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      throw new AuthError(
        "AUTH_KEYS_UNAVAILABLE",
        `the issuer's discovery document ${url.href} could not be read (${String(error)})`,
        {
          cause: error,
          context: { issuer: trusted.issuer },
        },
      );
    }
    const parsed = DiscoverySchema.safeParse(body);
    if (!parsed.success || parsed.data.issuer !== trusted.issuer) {
      throw new AuthError(
        "AUTH_KEYS_UNAVAILABLE",
        `the discovery document ${url.href} is not the configured issuer's (an "issuer" equal to ${trusted.issuer} and a "jwks_uri" are expected)`,
        { context: { issuer: trusted.issuer } },
      );
    }
    return createRemoteJWKSet(new URL(parsed.data.jwks_uri), { timeoutDuration: FETCH_TIMEOUT_MS });
  };
  const jwks: JWTVerifyGetKey = async (header, token) => {
    keys ??= discover();
    let getKey: JWTVerifyGetKey;
    try {
      getKey = await keys;
    } catch (error) {
      keys = undefined;
      throw error;
    }
    return getKey(header, token);
  };
  return {
    issuer: trusted.issuer,
    audience: trusted.audience,
    jwks,
    tenantClaim: trusted.tenantClaim ?? DEFAULT_TENANT_CLAIM,
  };
}
