import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ProblemSchema } from "../../../lib/api/problem.ts";
import { openLocalIssuer } from "../../../lib/auth/localIssuer.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { apiTestClient, type ApiAnswer, type ApiTestClient } from "./apiTestClient.ts";

const local = useTestStack({ api: { corsOrigins: ["https://app.example"] } });
let api: ApiTestClient;
let clientPath = "";
let engagementPath = "";

beforeAll(async () => {
  api = await apiTestClient(local());
  const client = await api.call("POST", "/clients", {
    tenant: "firm",
    body: { orgNumber: "923609016", name: "Fjellbekk Snekkeri AS", accountingSystem: "other" },
  });
  clientPath = `/clients/${client.json.clientId}`;
  const engagement = await api.call("POST", `${clientPath}/engagements`, {
    tenant: "firm",
    body: { kind: "year-end", fiscalYear: 2025 },
  });
  engagementPath = `${clientPath}/engagements/${engagement.json.engagementId}`;
});

/** A problem+json answer with the status, the code, and the request id of the header. */
function expectProblem(answer: ApiAnswer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get("content-type")).toBe("application/problem+json");
  const problem = ProblemSchema.strict().parse(answer.json);
  expect(problem).toMatchObject({ status, code, type: `urn:saldo:problem:${code.toLowerCase().replace(/_/g, "-")}` });
  expect(problem.requestId).toBe(answer.headers.get("x-request-id"));
  return problem;
}

const paths = (answer: ApiAnswer) => (answer.json.errors as { path: string }[]).map((error) => error.path).sort();

describe("validation: 400 problem+json with field paths", () => {
  it("an invalid client body lists every invalid field", async () => {
    const answer = await api.call("POST", "/clients", {
      tenant: "firm",
      body: { orgNumber: "923609017", name: "", accountingSystem: "sap", extra: 1 },
    });
    expectProblem(answer, 400, "VALIDATION_FAILED");
    expect(paths(answer)).toEqual(["body.accountingSystem", "body.extra", "body.name", "body.orgNumber"]);
    expect(answer.json.errors.find((error: { path: string }) => error.path === "body.orgNumber").message).toBe(
      "the check digit (mod 11) does not match",
    );
  });

  it("an organisation number that is not 9 digits is refused", async () => {
    const answer = await api.call("POST", "/clients", {
      tenant: "firm",
      body: { orgNumber: "92360901", name: "X", accountingSystem: "other" },
    });
    expectProblem(answer, 400, "VALIDATION_FAILED");
    expect(answer.json.errors).toEqual([{ path: "body.orgNumber", message: "must be 9 digits" }]);
  });

  it("a body that is not JSON is a 400 that does not quote it", async () => {
    const answer = await api.call("POST", "/clients", {
      tenant: "firm",
      rawBody: "{not json at all",
      headers: { "content-type": "application/json" },
    });
    expectProblem(answer, 400, "MALFORMED_JSON");
    expect(answer.text).not.toContain("not json at all");
  });

  it("a missing body is a 400 on body", async () => {
    const answer = await api.call("POST", "/clients", { tenant: "firm" });
    expectProblem(answer, 400, "VALIDATION_FAILED");
    expect(paths(answer)).toEqual(["body"]);
  });

  it("an invalid path parameter is a 400 on path", async () => {
    const answer = await api.call("GET", "/clients/-starts-with-dash", { tenant: "firm" });
    expectProblem(answer, 400, "VALIDATION_FAILED");
    expect(paths(answer)).toEqual(["path.clientId"]);
  });

  it("an unknown integration system is a 400 on path.system", async () => {
    const answer = await api.call("GET", `${clientPath}/integrations/visma`, { tenant: "firm" });
    expectProblem(answer, 400, "VALIDATION_FAILED");
    expect(paths(answer)).toEqual(["path.system"]);
  });

  it("invalid query parameters are 400s on query", async () => {
    const answer = await api.call("GET", `${engagementPath}/transactions?limit=0&from=2025-13-01`, { tenant: "firm" });
    expectProblem(answer, 400, "VALIDATION_FAILED");
    expect(paths(answer)).toEqual(["query.from", "query.limit"]);
    const compare = await api.call("GET", `${engagementPath}/imports/01ABC/compare`, { tenant: "firm" });
    expectProblem(compare, 400, "VALIDATION_FAILED");
    expect(paths(compare)).toEqual(["query.with"]);
  });

  it("a period that ends before it starts, and a fiscal year given as a string, are refused", async () => {
    const period = await api.call("POST", `${clientPath}/engagements`, {
      tenant: "firm",
      body: { kind: "period-end", periodStart: "2025-03-31", periodEnd: "2025-01-01" },
    });
    expectProblem(period, 400, "VALIDATION_FAILED");
    expect(paths(period)).toEqual(["body.periodEnd"]);
    const year = await api.call("POST", `${clientPath}/engagements`, {
      tenant: "firm",
      body: { kind: "year-end", fiscalYear: "2025" },
    });
    expectProblem(year, 400, "VALIDATION_FAILED");
    expect(paths(year)).toEqual(["body.fiscalYear"]);
  });

  it("an upload file name with a slash is refused", async () => {
    const answer = await api.call("POST", `${engagementPath}/uploads`, {
      tenant: "firm",
      body: { fileName: "../x/saft.xml", size: 10 },
    });
    expectProblem(answer, 400, "VALIDATION_FAILED");
    expect(paths(answer)).toEqual(["body.fileName"]);
  });

  it("an empty PATCH is refused", async () => {
    const answer = await api.call("PATCH", clientPath, { tenant: "firm", body: {} });
    expectProblem(answer, 400, "VALIDATION_FAILED");
  });
});

describe("engagements and clients: 404, 409 and soft delete", () => {
  it("a year-end engagement covers 1 January – 31 December of its fiscal year", async () => {
    const answer = await api.call("GET", engagementPath, { tenant: "firm" });
    expect(answer.json).toMatchObject({
      kind: "year-end",
      fiscalYear: 2025,
      periodStart: "2025-01-01",
      periodEnd: "2025-12-31",
      activeImportId: null,
    });
  });

  it("a second client with the same organisation number is a 409", async () => {
    const answer = await api.call("POST", "/clients", {
      tenant: "firm",
      body: { orgNumber: "923609016", name: "Again", accountingSystem: "other" },
    });
    expectProblem(answer, 409, "ORG_NUMBER_TAKEN");
  });

  it("a second engagement for the same period is a 409", async () => {
    const answer = await api.call("POST", `${clientPath}/engagements`, {
      tenant: "firm",
      body: { kind: "year-end", fiscalYear: 2025 },
    });
    expectProblem(answer, 409, "ENGAGEMENT_EXISTS");
  });

  it("the trial balance of an engagement without imports is a 409", async () => {
    const answer = await api.call("GET", `${engagementPath}/trial-balance`, { tenant: "firm" });
    expectProblem(answer, 409, "NO_ACTIVE_IMPORT");
  });

  it("an unknown client is a 404", async () => {
    expectProblem(await api.call("GET", "/clients/nobody", { tenant: "firm" }), 404, "CLIENT_NOT_FOUND");
  });

  it("PATCH changes the client; DELETE hides it and everything under it", async () => {
    const created = await api.call("POST", "/clients", {
      tenant: "firm",
      body: { orgNumber: "974760673", name: "Brreg", accountingSystem: "other" },
    });
    const path = `/clients/${created.json.clientId}`;
    const patched = await api.call("PATCH", path, {
      tenant: "firm",
      body: { name: "Brønnøysundregistrene", accountingSystem: "tripletex" },
    });
    expect(patched.json).toMatchObject({
      name: "Brønnøysundregistrene",
      accountingSystem: "tripletex",
      orgNumber: "974760673",
    });
    const engagement = await api.call("POST", `${path}/engagements`, {
      tenant: "firm",
      body: { kind: "year-end", fiscalYear: 2024 },
    });
    expect(engagement.status).toBe(201);
    const deleted = await api.call("DELETE", path, { tenant: "firm" });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expectProblem(await api.call("GET", path, { tenant: "firm" }), 404, "CLIENT_NOT_FOUND");
    expectProblem(await api.call("DELETE", path, { tenant: "firm" }), 404, "CLIENT_NOT_FOUND");
    expectProblem(
      await api.call("GET", `${path}/engagements/${engagement.json.engagementId}`, { tenant: "firm" }),
      404,
      "CLIENT_NOT_FOUND",
    );
    const list = await api.call("GET", "/clients", { tenant: "firm" });
    expect(list.json.items.map((client: { name: string }) => client.name)).toEqual(["Fjellbekk Snekkeri AS"]);
    // The organisation number is free again once its client is deleted.
    const again = await api.call("POST", "/clients", {
      tenant: "firm",
      body: { orgNumber: "974760673", name: "Brreg", accountingSystem: "other" },
    });
    expect(again.status).toBe(201);
  });
});

describe("authentication: 401 for missing, invalid and expired tokens", () => {
  it("no token is a 401 with WWW-Authenticate", async () => {
    const answer = await api.call("GET", "/clients");
    expectProblem(answer, 401, "AUTH_MISSING_TOKEN");
    expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="saldo"');
  });

  it("a token that is not a JWT is a 401 invalid_token", async () => {
    const answer = await api.call("GET", "/clients", { token: "not-a-jwt" });
    expectProblem(answer, 401, "AUTH_INVALID_TOKEN");
    expect(answer.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("an expired token is a 401 AUTH_EXPIRED", async () => {
    const past = await openLocalIssuer({ dataDir: local().dataDir, now: () => new Date(Date.now() - 3 * 3600_000) });
    const answer = await api.call("GET", "/clients", {
      token: await past.issueToken({ tenantId: "firm", expiresInSeconds: 3600 }),
    });
    expectProblem(answer, 401, "AUTH_EXPIRED");
  });

  it("a token for another audience is a 401", async () => {
    const other = await openLocalIssuer({ dataDir: local().dataDir, audience: "another-api" });
    expectProblem(
      await api.call("GET", "/clients", { token: await other.issueToken({ tenantId: "firm" }) }),
      401,
      "AUTH_INVALID_TOKEN",
    );
  });

  it("a token signed with another key is a 401", async () => {
    const dir = await mkdtemp(join(tmpdir(), "saldo-other-issuer-"));
    try {
      const stranger = await openLocalIssuer({ dataDir: dir });
      expectProblem(
        await api.call("GET", "/clients", { token: await stranger.issueToken({ tenantId: "firm" }) }),
        401,
        "AUTH_INVALID_TOKEN",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("/health and /openapi.json need no token", async () => {
    expect((await api.call("GET", "/health")).status).toBe(200);
    const document = await api.call("GET", "/openapi.json");
    expect(document.status).toBe(200);
    expect(document.json.openapi).toBe("3.1.0");
  });

  it("the local issuer's discovery document and key set are served", async () => {
    const configuration = await api.call("GET", "/.well-known/openid-configuration");
    expect(configuration.json).toMatchObject({
      issuer: "saldo-local",
      jwks_uri: `${api.baseUrl}/.well-known/jwks.json`,
    });
    const jwks = await api.call("GET", "/.well-known/jwks.json");
    expect(jwks.json.keys.map((key: { kid: string }) => key.kid)).toEqual([api.issuer.keyId]);
    expect(jwks.json.keys[0].d).toBeUndefined();
  });
});

describe("CORS and request ids", () => {
  it("a preflight from an allowed origin is answered with the allowed methods", async () => {
    const answer = await fetch(`${api.baseUrl}${clientPath}`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "PATCH" },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(answer.headers.get("access-control-allow-methods")).toBe("GET, PATCH, DELETE");
    expect(answer.headers.get("access-control-allow-headers")).toContain("authorization");
  });

  it("answers carry CORS headers for allowed origins only", async () => {
    const allowed = await api.call("GET", "/clients", { tenant: "firm", headers: { origin: "https://app.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(allowed.headers.get("access-control-expose-headers")).toBe(
      "x-request-id, content-disposition, x-next-cursor, location",
    );
    const other = await api.call("GET", "/clients", { tenant: "firm", headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("every answer has its own x-request-id", async () => {
    const [first, second] = await Promise.all([
      api.call("GET", "/clients", { tenant: "firm" }),
      api.call("GET", "/clients", { tenant: "firm" }),
    ]);
    expect(first.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers.get("x-request-id")).not.toBe(second.headers.get("x-request-id"));
  });
});
