import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectorCredentials } from "../../../../../lib/connectors/ports.ts";
import { TripletexConnector } from "../../../../../lib/connectors/tripletex/TripletexConnector.ts";
import { DEMO_TRIPLETEX_CONSUMER_TOKEN } from "../../../../../lib/local/fakes/tripletex/demoTripletex.ts";
import { FakeTripletexServer } from "../../../../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import { Secret } from "../../../../../lib/secrets/Secret.ts";
import {
  contractResponsesOf,
  hasSharedSpecs,
  loadOpenApiContract,
  type OpenApiContract,
  TRIPLETEX_OPENAPI,
} from "../../../../helpers/openApiContract.ts";

/**
 * The contract test of the fake Tripletex server: every answer it gives in a run that goes through every route and
 * every error it produces — the connector's own flows (check, companies, plan, pull for the ok, wrong-IB and accountant
 * demo keys) and direct requests for the errors (401, 403, 404, 400, 422 with codes 15000 and 23000, 429) — is
 * validated against the vendor's OpenAPI document (`../shared/specs/tripletex-v2.openapi.json`); error answers against
 * its `ApiError` schema, since the document lists only the 200 of each endpoint. Skipped when ../shared is absent.
 */

const YEAR_2025 = { start: "2025-01-01", end: "2025-12-31" };

describe.skipIf(!hasSharedSpecs)("fake Tripletex server against the Tripletex OpenAPI document", () => {
  let server: FakeTripletexServer;
  let contract: OpenApiContract;

  beforeAll(async () => {
    contract = await loadOpenApiContract(TRIPLETEX_OPENAPI, { basePath: "/v2", errorSchema: "ApiError" });
    server = await FakeTripletexServer.start({ maxRowsPerQuery: 500 });
  });
  afterAll(async () => {
    await server?.close();
  });

  const key = (employeeToken: string, companyId?: string): ConnectorCredentials<"tripletex"> => ({
    key: new Secret({ employeeToken }),
    ...(companyId ? { companyId } : {}),
  });

  async function raw(
    path: string,
    options: { method?: string; username?: string; token?: string } = {},
  ): Promise<Response> {
    return fetch(`${server.url}${path}`, {
      method: options.method ?? "GET",
      headers:
        options.token === undefined
          ? {}
          : { authorization: `Basic ${Buffer.from(`${options.username ?? "0"}:${options.token}`).toString("base64")}` },
    });
  }

  async function sessionToken(employeeToken: string): Promise<string> {
    const query = new URLSearchParams({
      consumerToken: DEMO_TRIPLETEX_CONSUMER_TOKEN,
      employeeToken,
      expirationDate: "2099-12-31",
    });
    const response = await raw(`/token/session/:create?${query}`, { method: "PUT" });
    return ((await response.json()) as { value: { token: string } }).value.token;
  }

  it("answers every route and every error in the shapes the document defines", async () => {
    const tripletex = new TripletexConnector({
      baseUrl: server.url,
      consumerToken: new Secret(DEMO_TRIPLETEX_CONSUMER_TOKEN),
    });
    // The connector's flows: sessions, whoAmI, companies, accounts, balance sheet, vouchers, postings (split under the
    // lowered cap: 422 code 23000 on the way).
    expect((await tripletex.check(key("demo-tripletex-ok"))).status).toBe("ok");
    for await (const _ of (await tripletex.pull(key("demo-tripletex-ok"), { period: YEAR_2025 })).records);
    for await (const _ of (await tripletex.pull(key("demo-tripletex-wrong-ib"), { period: YEAR_2025 })).records);
    const clients = await tripletex.listCompanies(key("demo-tripletex-accountant"));
    expect((await tripletex.check(key("demo-tripletex-accountant"))).status).toBe("no-access");
    await tripletex.plan(key("demo-tripletex-accountant", clients[0]!.id), { period: YEAR_2025 });
    expect((await tripletex.check(key("not-a-demo-key"))).status).toBe("invalid-key");

    // Errors and routes the connector does not provoke.
    const ok = await sessionToken("demo-tripletex-ok");
    const accountant = await sessionToken("demo-tripletex-accountant");
    expect((await raw("/token/session/>whoAmI", { token: "expired-or-unknown" })).status).toBe(401);
    expect((await raw("/token/session/>whoAmI")).status).toBe(401);
    expect((await raw("/ledger/account", { token: accountant })).status).toBe(403);
    expect((await raw("/ledger/account", { token: accountant, username: "1" })).status).toBe(403);
    expect((await raw("/company/1", { token: ok })).status).toBe(404);
    expect((await raw("/ledger/account?fields=id,nonsense", { token: ok })).status).toBe(400);
    expect((await raw("/ledger/posting?dateFrom=2025-01-01", { token: ok })).status).toBe(422);
    expect((await raw("/ledger/posting?dateFrom=2024-01-01&dateTo=2026-01-01", { token: ok })).status).toBe(422);
    expect((await raw("/ledger/voucher?dateFrom=2024-01-01&dateTo=2026-01-01&fields=*", { token: ok })).status).toBe(
      422,
    );
    expect((await raw("/ledger/voucher?dateFrom=2025-01-01&dateTo=2025-02-01&fields=*", { token: ok })).status).toBe(
      200,
    );
    expect((await raw("/ledger/posting?dateFrom=2025-01-01&dateTo=2025-01-05", { token: ok })).status).toBe(200);
    expect(
      (
        await raw(
          "/ledger/posting?dateFrom=2025-01-01&dateTo=2025-01-05&fields=*,voucher(*),account(*),customer(*),supplier(*),department(*),project(*),vatType(*),currency(*)",
          { token: ok },
        )
      ).status,
    ).toBe(200);
    expect(
      (await raw("/balanceSheet?dateFrom=2025-01-01&dateTo=2026-01-01&fields=*,account(*)", { token: ok })).status,
    ).toBe(200);
    expect((await raw("/ledger/account?fields=*", { token: ok })).status).toBe(200);
    expect((await raw("/ledger/annualAccount?yearFrom=2024&yearTo=2026", { token: ok })).status).toBe(200);
    expect((await raw("/company/>withLoginAccess?fields=*", { token: accountant })).status).toBe(200);
    expect((await raw("/token/session/>whoAmI?fields=*,company(*),employee(*)", { token: ok })).status).toBe(200);
    server.api.setRateLimit({ limit: 1, periodSeconds: 60, omitResetOn429: true });
    await raw("/token/session/>whoAmI", { token: ok });
    expect((await raw("/token/session/>whoAmI", { token: ok })).status).toBe(429);
    server.api.setRateLimit(undefined);

    const responses = contractResponsesOf(server.server.exchanges);
    const statuses = new Set(responses.map((response) => response.status));
    expect([...statuses].sort()).toEqual([200, 400, 401, 403, 404, 422, 429]);
    const routes = new Set(responses.map((response) => `${response.method} ${response.path}`));
    for (const route of FakeTripletexServer.routes) expect(routes).toContain(`${route.method} ${route.path}`);
    expect(contract.validateAll(responses)).toEqual([]);
  });

  it("would catch a fake that drifted: an amount sent as text, a list without its envelope", async () => {
    const token = await sessionToken("demo-tripletex-ok");
    const page = await raw("/ledger/posting?dateFrom=2025-03-01&dateTo=2025-03-02", { token });
    const body = (await page.json()) as { values: Record<string, unknown>[] };
    expect(contract.validateAll([{ method: "GET", path: "/ledger/posting", status: 200, body }])).toEqual([]);
    body.values[0]!.amount = "1234.50";
    expect(contract.validateAll([{ method: "GET", path: "/ledger/posting", status: 200, body }])[0]).toMatch(
      /values\[0\]\.amount/,
    );
    expect(contract.validateAll([{ method: "GET", path: "/balanceSheet", status: 200, body: [] }])).toHaveLength(1);
  });
});
