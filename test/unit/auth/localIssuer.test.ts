import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { calculateJwkThumbprint, createLocalJWKSet, decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthError } from "../../../lib/auth/errors.ts";
import { LOCAL_AUTH } from "../../../lib/auth/localAuthConfig.ts";
import { openLocalIssuer } from "../../../lib/auth/localIssuer.ts";
import { verifyAccessToken } from "../../../lib/auth/verifyAccessToken.ts";

const NOW = new Date("2026-03-01T09:00:00.000Z");
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "saldo-local-issuer-"));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("local issuer", () => {
  it("creates its private key in ${dataDir}/auth with mode 0600 (folder 0700) on first use", async () => {
    await openLocalIssuer({ dataDir });
    const file = join(dataDir, "auth", "signing-key.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, "auth"))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({
      kty: "EC",
      crv: "P-256",
      alg: "ES256",
      use: "sig",
    });
  });

  it("keeps the same key across openings", async () => {
    const first = await openLocalIssuer({ dataDir });
    const second = await openLocalIssuer({ dataDir });
    expect(second.keyId).toBe(first.keyId);
  });

  it("agrees on one key when opened twice at the same time on a fresh folder", async () => {
    const [first, second] = await Promise.all([openLocalIssuer({ dataDir }), openLocalIssuer({ dataDir })]);
    expect(second.keyId).toBe(first.keyId);
    const token = await first.issueToken({ tenantId: "acme" });
    expect(await verifyAccessToken(token, second.verifyOptions())).toMatchObject({ tenantId: "acme" });
  });

  it("issues a token its own verify options accept for the tenant", async () => {
    const issuer = await openLocalIssuer({ dataDir });
    const token = await issuer.issueToken({
      tenantId: "acme-regnskap",
      subject: "kari@acme.no",
      scopes: ["clients:read"],
    });
    expect(await verifyAccessToken(token, issuer.verifyOptions())).toEqual({
      tenantId: "acme-regnskap",
      subject: "kari@acme.no",
      scopes: ["clients:read"],
    });
  });

  it("signs ES256 with the key id in the header and the agreed issuer, audience and tenant claim", async () => {
    const issuer = await openLocalIssuer({ dataDir, now: () => NOW });
    const token = await issuer.issueToken({ tenantId: "acme" });
    expect(decodeProtectedHeader(token)).toEqual({ alg: "ES256", kid: issuer.keyId, typ: "JWT" });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: "saldo-local", aud: "saldo-api", sub: "local:acme", "saldo:tenant": "acme" });
    expect(claims.iat).toBe(NOW.getTime() / 1000);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("uses the configured lifetime", async () => {
    const issuer = await openLocalIssuer({ dataDir });
    const claims = decodeJwt(await issuer.issueToken({ tenantId: "acme", expiresInSeconds: 120 }));
    expect(claims.exp! - claims.iat!).toBe(120);
  });

  it("publishes only the public key, under its RFC 7638 thumbprint", async () => {
    const issuer = await openLocalIssuer({ dataDir });
    const { keys } = issuer.jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toHaveProperty("d");
    expect(keys[0]!.kid).toBe(await calculateJwkThumbprint(keys[0]!));
  });

  it("accepts its tokens through the published JWKS document with the shared local settings", async () => {
    const issuer = await openLocalIssuer({ dataDir });
    const published = JSON.parse(JSON.stringify(issuer.jwks())) as ReturnType<typeof issuer.jwks>;
    const principal = await verifyAccessToken(await issuer.issueToken({ tenantId: "acme" }), {
      issuer: LOCAL_AUTH.issuer,
      audience: LOCAL_AUTH.audience,
      jwks: createLocalJWKSet(published),
    });
    expect(principal.tenantId).toBe("acme");
  });

  it("describes itself in an OpenID discovery document pointing at the server's JWKS", async () => {
    const issuer = await openLocalIssuer({ dataDir });
    expect(issuer.openidConfiguration("http://127.0.0.1:3000")).toMatchObject({
      issuer: "saldo-local",
      jwks_uri: "http://127.0.0.1:3000/.well-known/jwks.json",
      id_token_signing_alg_values_supported: ["ES256"],
    });
  });

  it("can use a configured issuer string", async () => {
    const issuer = await openLocalIssuer({ dataDir, issuer: "http://127.0.0.1:3000" });
    expect(decodeJwt(await issuer.issueToken({ tenantId: "acme" })).iss).toBe("http://127.0.0.1:3000");
  });

  it("refuses a token of another data folder's issuer", async () => {
    const otherDir = await mkdtemp(join(tmpdir(), "saldo-local-issuer-other-"));
    try {
      const other = await openLocalIssuer({ dataDir: otherDir });
      const mine = await openLocalIssuer({ dataDir });
      await expect(
        verifyAccessToken(await other.issueToken({ tenantId: "acme" }), mine.verifyOptions()),
      ).rejects.toMatchObject({
        code: "AUTH_INVALID_TOKEN",
      });
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it("refuses to issue a token for an invalid tenant id or lifetime", async () => {
    const issuer = await openLocalIssuer({ dataDir });
    await expect(issuer.issueToken({ tenantId: "a/b" })).rejects.toMatchObject({ code: "AUTH_LOCAL_ISSUER_FAILED" });
    await expect(issuer.issueToken({ tenantId: "acme", expiresInSeconds: 0 })).rejects.toBeInstanceOf(AuthError);
    await expect(issuer.issueToken({ tenantId: "acme", expiresInSeconds: 31 * 24 * 3600 })).rejects.toBeInstanceOf(
      AuthError,
    );
  });

  it("reports a key file that is not an ES256 private key with AUTH_LOCAL_ISSUER_FAILED", async () => {
    await openLocalIssuer({ dataDir });
    await writeFile(join(dataDir, "auth", "signing-key.json"), '{"kty":"oct","k":"abc"}');
    await expect(openLocalIssuer({ dataDir })).rejects.toMatchObject({ code: "AUTH_LOCAL_ISSUER_FAILED" });
  });
});
