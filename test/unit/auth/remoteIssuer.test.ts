import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError } from "../../../lib/auth/errors.ts";
import { remoteIssuerVerifyOptions } from "../../../lib/auth/remoteIssuer.ts";
import { verifyAccessToken } from "../../../lib/auth/verifyAccessToken.ts";

/**
 * The API's trust in a remote OIDC issuer (the local stack with SALDO_OIDC_ISSUER, as API Gateway's JWT authorizer):
 * keys found through the issuer's discovery document, on a real loopback HTTP server whose answers the tests change.
 */
describe("remoteIssuerVerifyOptions", () => {
  let server: Server;
  let issuer: string;
  let privateKey: CryptoKey;
  let discovery: { status: number; body: unknown };
  const requests: string[] = [];

  beforeAll(async () => {
    const pair = await generateKeyPair("ES256", { extractable: true });
    privateKey = pair.privateKey;
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" }] };
    server = createServer((request, response) => {
      requests.push(request.url ?? "");
      const [status, body] =
        request.url === "/.well-known/openid-configuration"
          ? [discovery.status, discovery.body]
          : request.url === "/keys"
            ? [200, jwks]
            : [404, {}];
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolveClose) => server.close(() => resolveClose())));

  const token = (claims: Record<string, unknown> = { "saldo:tenant": "firma-a" }, iss = issuer) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setIssuer(iss)
      .setAudience("saldo-api")
      .setSubject("kari")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);

  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  };

  it("says the keys are unavailable while discovery fails, and discovers again on the next token", async () => {
    const options = remoteIssuerVerifyOptions({ issuer, audience: "saldo-api" });
    discovery = { status: 503, body: {} };
    const down = await failure(verifyAccessToken(await token(), options));
    expect(down.code).toBe("AUTH_KEYS_UNAVAILABLE");
    expect(down.message).toContain(`${issuer}/.well-known/openid-configuration`);

    discovery = { status: 200, body: { issuer, jwks_uri: `${issuer}/keys` } };
    await expect(verifyAccessToken(await token(), options)).resolves.toEqual({
      tenantId: "firma-a",
      subject: "kari",
      scopes: [],
    });
    // Discovered once: the next token uses the cached key set.
    const before = requests.filter((url) => url === "/.well-known/openid-configuration").length;
    await verifyAccessToken(await token(), options);
    expect(requests.filter((url) => url === "/.well-known/openid-configuration").length).toBe(before);
  });

  it("refuses a discovery document that names another issuer", async () => {
    discovery = { status: 200, body: { issuer: "https://evil.example", jwks_uri: `${issuer}/keys` } };
    const options = remoteIssuerVerifyOptions({ issuer, audience: "saldo-api" });
    const error = await failure(verifyAccessToken(await token(), options));
    expect(error.code).toBe("AUTH_KEYS_UNAVAILABLE");
    expect(error.message).toContain("is not the configured issuer's");
  });

  it("reads the tenant from the configured claim and refuses tokens of another issuer", async () => {
    discovery = { status: 200, body: { issuer, jwks_uri: `${issuer}/keys` } };
    const options = remoteIssuerVerifyOptions({ issuer, audience: "saldo-api", tenantClaim: "https://x/tenant" });
    await expect(verifyAccessToken(await token({ "https://x/tenant": "firma-b" }), options)).resolves.toMatchObject({
      tenantId: "firma-b",
    });
    expect((await failure(verifyAccessToken(await token(), options))).code).toBe("AUTH_NO_TENANT");
    const foreign = await token({ "https://x/tenant": "firma-b" }, "https://other.example");
    expect((await failure(verifyAccessToken(foreign, options))).code).toBe("AUTH_INVALID_TOKEN");
  });
});
