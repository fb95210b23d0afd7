import { join } from "node:path";
import { DEFAULT_TENANT_CLAIM } from "./verifyAccessToken.ts";

/**
 * What the local stack's API and `saldo token` agree on, without either needing the other running: the issuer and
 * audience are fixed strings rather than the server's URL, so a token printed before `npm start` (or with another
 * PORT) is still accepted. Both read the signing key from the same data folder (see {@link localAuthDirectory}).
 *
 * In the cloud none of this is used: the issuer and audience come from the stage's OIDC provider configuration.
 */
export const LOCAL_AUTH = {
  /** `iss` of local tokens. Not a URL on purpose (see above); discovery documents give the JWKS URL separately. */
  issuer: "saldo-local",
  /** `aud` of local tokens. */
  audience: "saldo-api",
  tenantClaim: DEFAULT_TENANT_CLAIM,
  /** ECDSA P-256: small keys and tokens, and one of the algorithms API Gateway's JWT authorizer accepts. */
  algorithm: "ES256",
  /** Lifetime of a token when `saldo token` is not told otherwise, in seconds. */
  defaultExpiresInSeconds: 3600,
  /** Longest lifetime `saldo token --expires` allows (30 days): these are development tokens. */
  maxExpiresInSeconds: 30 * 24 * 3600,
} as const;

/** Where the local issuer keeps its signing key: `${dataDir}/auth` (`SALDO_DATA_DIR`, default `./.saldo`). */
export function localAuthDirectory(dataDir: string): string {
  return join(dataDir, "auth");
}
