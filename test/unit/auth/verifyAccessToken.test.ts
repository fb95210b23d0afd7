import {
  createLocalJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { AuthError, type AuthErrorCode } from "../../../lib/auth/errors.ts";
import {
  bearerToken,
  principalFromVerifiedClaims,
  tenantFromVerifiedClaims,
  verifyAccessToken,
  type VerifyAccessTokenOptions,
} from "../../../lib/auth/verifyAccessToken.ts";

const ISSUER = "https://auth.example.no/";
const AUDIENCE = "saldo-api";
const NOW = new Date("2026-03-01T09:00:00.000Z");
const NOW_SECONDS = NOW.getTime() / 1000;

interface SigningKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  alg: "ES256" | "RS256";
}

let es256: SigningKey;
let rs256: SigningKey;
let stranger: SigningKey;
let options: VerifyAccessTokenOptions;

async function signingKey(alg: "ES256" | "RS256", kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg }, alg };
}

beforeAll(async () => {
  es256 = await signingKey("ES256", "es-key");
  rs256 = await signingKey("RS256", "rs-key");
  // Another key pair announcing the same kid as the trusted ES256 key.
  stranger = await signingKey("ES256", "es-key");
  options = {
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: createLocalJWKSet({ keys: [es256.publicJwk, rs256.publicJwk] }),
    currentDate: NOW,
  };
});

function token(claims: JWTPayload = {}, key: SigningKey = es256, header: { kid?: string } = {}): Promise<string> {
  return new SignJWT({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: "user-42",
    iat: NOW_SECONDS - 60,
    exp: NOW_SECONDS + 3600,
    "saldo:tenant": "acme-regnskap",
    ...claims,
  })
    .setProtectedHeader({ alg: key.alg, kid: header.kid ?? key.publicJwk.kid! })
    .sign(key.privateKey);
}

async function failure(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

async function expectCode(promise: Promise<unknown>, code: AuthErrorCode): Promise<AuthError> {
  const error = await failure(promise);
  expect(error.code).toBe(code);
  return error;
}

describe("verifyAccessToken", () => {
  it("returns the tenant, subject and scopes of a valid ES256 token", async () => {
    const principal = await verifyAccessToken(await token({ scope: "clients:read clients:write" }), options);
    expect(principal).toEqual({
      tenantId: "acme-regnskap",
      subject: "user-42",
      scopes: ["clients:read", "clients:write"],
    });
  });

  it("accepts an RS256 token", async () => {
    expect(await verifyAccessToken(await token({}, rs256), options)).toMatchObject({ tenantId: "acme-regnskap" });
  });

  it("reads scopes from an scp array", async () => {
    expect(await verifyAccessToken(await token({ scp: ["a", "b"] }), options)).toMatchObject({ scopes: ["a", "b"] });
  });

  it("has no scopes when the token grants none", async () => {
    expect(await verifyAccessToken(await token(), options)).toMatchObject({ scopes: [] });
  });

  it("reads the tenant from a configured claim", async () => {
    const principal = await verifyAccessToken(await token({ "custom:tenant": "firm-2" }), {
      ...options,
      tenantClaim: "custom:tenant",
    });
    expect(principal.tenantId).toBe("firm-2");
  });

  it("refuses a missing or empty token with AUTH_MISSING_TOKEN", async () => {
    await expectCode(verifyAccessToken(undefined, options), "AUTH_MISSING_TOKEN");
    await expectCode(verifyAccessToken("  ", options), "AUTH_MISSING_TOKEN");
  });

  it("refuses something that is not a JWT with AUTH_INVALID_TOKEN", async () => {
    await expectCode(verifyAccessToken("not-a-jwt", options), "AUTH_INVALID_TOKEN");
  });

  it("refuses another issuer with AUTH_INVALID_TOKEN naming iss", async () => {
    const error = await expectCode(
      verifyAccessToken(await token({ iss: "https://evil.example/" }), options),
      "AUTH_INVALID_TOKEN",
    );
    expect(error.context).toMatchObject({ claim: "iss" });
  });

  it("refuses another audience with AUTH_INVALID_TOKEN naming aud", async () => {
    const error = await expectCode(verifyAccessToken(await token({ aud: "other-api" }), options), "AUTH_INVALID_TOKEN");
    expect(error.context).toMatchObject({ claim: "aud" });
  });

  it("refuses an expired token with AUTH_EXPIRED", async () => {
    await expectCode(verifyAccessToken(await token({ exp: NOW_SECONDS - 31 }), options), "AUTH_EXPIRED");
  });

  it("accepts a token expired by less than the clock tolerance (30 s)", async () => {
    expect(await verifyAccessToken(await token({ exp: NOW_SECONDS - 29 }), options)).toMatchObject({
      subject: "user-42",
    });
  });

  it("refuses a token that is not valid yet with AUTH_INVALID_TOKEN", async () => {
    await expectCode(verifyAccessToken(await token({ nbf: NOW_SECONDS + 120 }), options), "AUTH_INVALID_TOKEN");
  });

  it("refuses a token without exp", async () => {
    await expectCode(verifyAccessToken(await token({ exp: undefined }), options), "AUTH_INVALID_TOKEN");
  });

  it("refuses a token without sub", async () => {
    await expectCode(verifyAccessToken(await token({ sub: undefined }), options), "AUTH_INVALID_TOKEN");
  });

  it("refuses a token whose payload was altered after signing", async () => {
    const [header, , signature] = (await token()).split(".");
    const forged = Buffer.from(
      JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: "x", exp: NOW_SECONDS + 60, "saldo:tenant": "victim" }),
    ).toString("base64url");
    await expectCode(verifyAccessToken(`${header}.${forged}.${signature}`, options), "AUTH_INVALID_TOKEN");
  });

  it("refuses a token signed by another key pair under a trusted kid (bad signature)", async () => {
    const error = await expectCode(verifyAccessToken(await token({}, stranger), options), "AUTH_INVALID_TOKEN");
    expect((error.cause as errors.JOSEError).code).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  });

  it("refuses a token signed by a key the issuer does not publish (unknown kid)", async () => {
    const error = await expectCode(
      verifyAccessToken(await token({}, stranger, { kid: "unknown" }), options),
      "AUTH_INVALID_TOKEN",
    );
    expect((error.cause as errors.JOSEError).code).toBe("ERR_JWKS_NO_MATCHING_KEY");
  });

  it("refuses a symmetric HS256 token even if it names a trusted kid", async () => {
    const hs = await new SignJWT({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: "u",
      exp: NOW_SECONDS + 60,
      "saldo:tenant": "acme",
    })
      .setProtectedHeader({ alg: "HS256", kid: "es-key" })
      .sign(new TextEncoder().encode("a-shared-secret-of-32-bytes-long!"));
    await expectCode(verifyAccessToken(hs, options), "AUTH_INVALID_TOKEN");
  });

  it("refuses a valid token without a tenant claim with AUTH_NO_TENANT", async () => {
    await expectCode(verifyAccessToken(await token({ "saldo:tenant": undefined }), options), "AUTH_NO_TENANT");
  });

  it("refuses a tenant claim that is not a string with AUTH_NO_TENANT", async () => {
    await expectCode(verifyAccessToken(await token({ "saldo:tenant": 42 }), options), "AUTH_NO_TENANT");
  });

  it("refuses a tenant claim that is not a valid id with AUTH_NO_TENANT", async () => {
    for (const tenant of ["../other", "a/b", "t".repeat(65), " acme"]) {
      await expectCode(verifyAccessToken(await token({ "saldo:tenant": tenant }), options), "AUTH_NO_TENANT");
    }
  });

  it("reports a key set that cannot be fetched as AUTH_KEYS_UNAVAILABLE", async () => {
    const unreachable: JWTVerifyGetKey = async () => {
      throw new TypeError("fetch failed");
    };
    await expectCode(verifyAccessToken(await token(), { ...options, jwks: unreachable }), "AUTH_KEYS_UNAVAILABLE");
    const timingOut: JWTVerifyGetKey = async () => {
      throw new errors.JWKSTimeout();
    };
    await expectCode(verifyAccessToken(await token(), { ...options, jwks: timingOut }), "AUTH_KEYS_UNAVAILABLE");
  });

  it("never quotes the token in the error message", async () => {
    const expired = await token({ exp: NOW_SECONDS - 3600 });
    const error = await failure(verifyAccessToken(expired, options));
    expect(error.message).not.toContain(expired.split(".")[1]!.slice(0, 20));
  });
});

describe("bearerToken", () => {
  it("takes the token of a Bearer header, scheme in any case", () => {
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(bearerToken("bearer abc.def.ghi")).toBe("abc.def.ghi");
  });

  it("refuses a missing header, another scheme or an empty token with AUTH_MISSING_TOKEN", () => {
    for (const header of [undefined, "", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer a b"]) {
      expect(() => bearerToken(header)).toThrow(expect.objectContaining({ code: "AUTH_MISSING_TOKEN" }));
    }
  });
});

describe("claims verified by API Gateway's JWT authorizer", () => {
  // requestContext.authorizer.jwt.claims: every value a string.
  const claims = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: "user-42",
    "saldo:tenant": "acme-regnskap",
    scope: "clients:read",
    exp: "1772357400",
  };

  it("gives the tenant", () => {
    expect(tenantFromVerifiedClaims(claims, "saldo:tenant")).toBe("acme-regnskap");
  });

  it("uses saldo:tenant when no claim is named", () => {
    expect(tenantFromVerifiedClaims(claims)).toBe("acme-regnskap");
  });

  it("refuses claims without the tenant, or with an invalid one, with AUTH_NO_TENANT", () => {
    expect(() => tenantFromVerifiedClaims({ sub: "u" })).toThrow(expect.objectContaining({ code: "AUTH_NO_TENANT" }));
    expect(() => tenantFromVerifiedClaims({ "saldo:tenant": "x/y" })).toThrow(
      expect.objectContaining({ code: "AUTH_NO_TENANT" }),
    );
  });

  it("gives the principal, with the scopes API Gateway lists separately", () => {
    expect(principalFromVerifiedClaims(claims, { scopes: ["clients:read", "clients:write"] })).toEqual({
      tenantId: "acme-regnskap",
      subject: "user-42",
      scopes: ["clients:read", "clients:write"],
    });
  });

  it("falls back to the scope claim when API Gateway lists no scopes", () => {
    expect(principalFromVerifiedClaims(claims, { scopes: null }).scopes).toEqual(["clients:read"]);
  });
});
