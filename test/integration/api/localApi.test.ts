import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalIssuer } from "../../../lib/auth/localIssuer.ts";
import { localFunctionConfig } from "../../../lib/local/stack/localFunctionConfig.ts";
import { createTenantRateLimiter, mountLocalApi } from "../../../lib/local/stack/localApi.ts";
import { startLocalHttpServer, type RunningLocalHttpServer } from "../../../lib/local/stack/localHttpServer.ts";

describe("the per-tenant token bucket", () => {
  it("allows the burst, then one request per refill interval, and says how long to wait", () => {
    let now = 0;
    const limiter = createTenantRateLimiter({ requestsPerSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take("a").allowed)).toEqual([true, true, true]);
    expect(limiter.take("a")).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take("b").allowed).toBe(true); // tenants have their own buckets
    now = 500; // half a second: one token back
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
  });
});

describe("the local API over real HTTP, with stand-in handlers (no emulators)", () => {
  let server: RunningLocalHttpServer;
  let dataDir: string;
  const events: Record<string, unknown>[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "saldo-local-api-"));
    server = await startLocalHttpServer({ port: 0 });
    await mountLocalApi({
      server,
      dataDir,
      functionConfig: localFunctionConfig({
        dataDir,
        tableName: "t",
        bucketName: "b",
        dynamoDbEndpoint: "http://127.0.0.1:1",
        s3Endpoint: "http://127.0.0.1:1",
      }),
      rateLimit: { requestsPerSecond: 0.5, burst: 2 },
      loadHandler: async () => async (event) => {
        events.push(event as Record<string, unknown>);
        return { statusCode: 200, headers: { "content-type": "application/json" }, body: '{"ok":true}' };
      },
    });
  });
  afterAll(async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("answers 429 problem+json with Retry-After once a tenant's bucket is empty, and not for other tenants", async () => {
    const issuer = await openLocalIssuer({ dataDir });
    const [busy, quiet] = await Promise.all([
      issuer.issueToken({ tenantId: "busy" }),
      issuer.issueToken({ tenantId: "quiet" }),
    ]);
    const get = (token: string) => fetch(`${server.url}/clients`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get(busy)).status).toBe(200);
    expect((await get(busy)).status).toBe(200);
    const limited = await get(busy);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(limited.headers.get("content-type")).toBe("application/problem+json");
    expect(await limited.json()).toMatchObject({
      status: 429,
      code: "RATE_LIMITED",
      requestId: limited.headers.get("x-request-id"),
    });
    expect((await get(quiet)).status).toBe(200);
  });

  it("hands the handler an API Gateway payload 2.0 event with the verified claims as strings", async () => {
    const issuer = await openLocalIssuer({ dataDir });
    const token = await issuer.issueToken({ tenantId: "events", scopes: ["read", "write"] });
    events.length = 0;
    await fetch(`${server.url}/clients/acme/engagements/q1/transactions?account=1920&account=1930&limit=5`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const [event] = events as [Record<string, any>]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "GET /clients/{clientId}/engagements/{engagementId}/transactions",
      rawPath: "/clients/acme/engagements/q1/transactions",
      rawQueryString: "account=1920&account=1930&limit=5",
      queryStringParameters: { account: "1920,1930", limit: "5" },
      pathParameters: { clientId: "acme", engagementId: "q1" },
      isBase64Encoded: false,
    });
    expect(event.requestContext.authorizer.jwt).toMatchObject({
      claims: {
        "saldo:tenant": "events",
        iss: "saldo-local",
        aud: "saldo-api",
        sub: "local:events",
        scope: "read write",
      },
      scopes: ["read", "write"],
    });
    expect(typeof event.requestContext.authorizer.jwt.claims.exp).toBe("string");
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses bodies above 10 MB with 413 before the handler runs", async () => {
    const issuer = await openLocalIssuer({ dataDir });
    const token = await issuer.issueToken({ tenantId: "big-body" });
    events.length = 0;
    const answer = await fetch(`${server.url}/clients`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "x".repeat(10 * 1024 * 1024 + 1),
    });
    expect(answer.status).toBe(413);
    expect(((await answer.json()) as { code: string }).code).toBe("PAYLOAD_TOO_LARGE");
    expect(events).toEqual([]);
  });

  it("answers unknown routes, wrong methods and malformed percent-encoding as problem+json with a code and x-request-id", async () => {
    const issuer = await openLocalIssuer({ dataDir });
    const authorization = `Bearer ${await issuer.issueToken({ tenantId: "errors" })}`;
    events.length = 0;
    const cases = [
      { method: "GET", path: "/nothing/here", status: 404, code: "ROUTE_NOT_FOUND" },
      { method: "PUT", path: "/clients", status: 405, code: "METHOD_NOT_ALLOWED" },
      { method: "GET", path: "/clients/%zz", status: 400, code: "MALFORMED_PATH" },
      { method: "GET", path: "/clients/%C3%28/engagements", status: 400, code: "MALFORMED_PATH" },
    ];
    for (const { method, path, status, code } of cases) {
      const answer = await fetch(`${server.url}${path}`, { method, headers: { authorization } });
      expect(answer.status, path).toBe(status);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      const requestId = answer.headers.get("x-request-id");
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await answer.json()).toMatchObject({
        status,
        code,
        requestId,
        type: `urn:saldo:problem:${code.toLowerCase().replace(/_/g, "-")}`,
      });
      if (status === 405) expect(answer.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "OPTIONS", "POST"]);
    }
    expect(events).toEqual([]);
  });

  it("puts an x-request-id on answers that are not errors too", async () => {
    const answer = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
