import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { API_ROUTES } from "../../../lib/api/routes.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { apiTestClient, type ApiTestClient } from "./apiTestClient.ts";

const root = resolve(import.meta.dirname, "..", "..", "..");
const local = useTestStack();

/** Tenant A's ids, created over the API before the tests. */
const a = { clientId: "", engagementId: "", importId: "" };
let api: ApiTestClient;

beforeAll(async () => {
  api = await apiTestClient(local());
  const client = await api.call("POST", "/clients", {
    tenant: "tenant-a",
    body: { orgNumber: "923609016", name: "A's client", accountingSystem: "tripletex" },
  });
  a.clientId = client.json.clientId;
  const engagement = await api.call("POST", `/clients/${a.clientId}/engagements`, {
    tenant: "tenant-a",
    body: { kind: "period-end", periodStart: "2025-01-01", periodEnd: "2025-03-31" },
  });
  a.engagementId = engagement.json.engagementId;
  const bytes = await readFile(join(root, "samples", "demo-saft-1.30.xml"));
  const ticket = await api.call("POST", `/clients/${a.clientId}/engagements/${a.engagementId}/uploads`, {
    tenant: "tenant-a",
    body: { fileName: "a.xml", size: bytes.length },
  });
  expect((await fetch(ticket.json.uploadUrl, { method: "PUT", body: bytes })).status).toBe(200);
  await local().stack.waitForDeliveries();
  const imports = await api.call("GET", `/clients/${a.clientId}/engagements/${a.engagementId}/imports`, {
    tenant: "tenant-a",
  });
  a.importId = imports.json.items[0].importId;
  const key = await api.call("PUT", `/clients/${a.clientId}/integrations/tripletex`, {
    tenant: "tenant-a",
    body: { employeeToken: "a-employee-token-0123456789" },
  });
  expect(key.status).toBe(200);
}, 180_000);

/**
 * Every authenticated route, called with tenant B's token on tenant A's ids (and a valid query/body, so that only
 * the tenant can make it fail). Routes without ids must not show or touch A's data. A route missing here fails the
 * coverage test below.
 */
const cases: Record<
  string,
  () => { method: string; path: string; body?: unknown; query?: string; expect: "not-found" | "own-data" }
> = {
  createClient: () => ({
    method: "POST",
    path: "/clients",
    body: { orgNumber: "923609016", name: "B's client", accountingSystem: "other" },
    expect: "own-data",
  }),
  listClients: () => ({ method: "GET", path: "/clients", expect: "own-data" }),
  getClient: () => ({ method: "GET", path: `/clients/${a.clientId}`, expect: "not-found" }),
  updateClient: () => ({
    method: "PATCH",
    path: `/clients/${a.clientId}`,
    body: { name: "taken over" },
    expect: "not-found",
  }),
  deleteClient: () => ({ method: "DELETE", path: `/clients/${a.clientId}`, expect: "not-found" }),
  createEngagement: () => ({
    method: "POST",
    path: `/clients/${a.clientId}/engagements`,
    body: { kind: "year-end", fiscalYear: 2024 },
    expect: "not-found",
  }),
  listEngagements: () => ({ method: "GET", path: `/clients/${a.clientId}/engagements`, expect: "not-found" }),
  getEngagement: () => ({
    method: "GET",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}`,
    expect: "not-found",
  }),
  closeEngagement: () => ({
    method: "POST",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/close`,
    expect: "not-found",
  }),
  reopenEngagement: () => ({
    method: "POST",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/reopen`,
    expect: "not-found",
  }),
  requestUpload: () => ({
    method: "POST",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/uploads`,
    body: { fileName: "b.xml", size: 100 },
    expect: "not-found",
  }),
  listImports: () => ({
    method: "GET",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/imports`,
    expect: "not-found",
  }),
  getImport: () => ({
    method: "GET",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/imports/${a.importId}`,
    expect: "not-found",
  }),
  compareImports: () => ({
    method: "GET",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/imports/${a.importId}/compare`,
    query: `?with=${a.importId}`,
    expect: "not-found",
  }),
  activateImport: () => ({
    method: "POST",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/imports/${a.importId}/activate`,
    expect: "not-found",
  }),
  requestSync: () => ({
    method: "POST",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/sync`,
    expect: "not-found",
  }),
  getSourcePlan: () => ({
    method: "GET",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/source-plan`,
    expect: "not-found",
  }),
  putSourcePlan: () => ({
    method: "PUT",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/source-plan`,
    body: { opening: "none" },
    expect: "not-found",
  }),
  getTrialBalance: () => ({
    method: "GET",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/trial-balance`,
    expect: "not-found",
  }),
  listTransactions: () => ({
    method: "GET",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/transactions`,
    query: "?limit=10",
    expect: "not-found",
  }),
  getReconciliation: () => ({
    method: "GET",
    path: `/clients/${a.clientId}/engagements/${a.engagementId}/reconciliation`,
    expect: "not-found",
  }),
  putIntegrationKey: () => ({
    method: "PUT",
    path: `/clients/${a.clientId}/integrations/tripletex`,
    body: { employeeToken: "b-overwrites-a-token-99" },
    expect: "not-found",
  }),
  getIntegrationKey: () => ({
    method: "GET",
    path: `/clients/${a.clientId}/integrations/tripletex`,
    expect: "not-found",
  }),
  checkIntegration: () => ({
    method: "POST",
    path: `/clients/${a.clientId}/integrations/tripletex/check`,
    expect: "not-found",
  }),
  listTripletexCompanies: () => ({
    method: "GET",
    path: `/clients/${a.clientId}/integrations/tripletex/companies`,
    expect: "not-found",
  }),
  bindTripletexCompany: () => ({
    method: "PUT",
    path: `/clients/${a.clientId}/integrations/tripletex/company`,
    body: { companyId: "1" },
    expect: "not-found",
  }),
  deleteIntegrationKey: () => ({
    method: "DELETE",
    path: `/clients/${a.clientId}/integrations/tripletex`,
    expect: "not-found",
  }),
};

describe("tenant isolation on every route", () => {
  it("the table below covers every authenticated route of the API", () => {
    const authenticated = API_ROUTES.filter((route) => route.authenticated).map((route) => route.operationId);
    expect(Object.keys(cases).sort()).toEqual([...authenticated].sort());
  });

  for (const [operationId, build] of Object.entries(cases)) {
    const expectation = build().expect === "not-found" ? "404 (never 403) for tenant A's ids" : "only its own data";
    it(`${operationId}: tenant B's token gets ${expectation}`, async () => {
      const call = build();
      const answer = await api.call(call.method, `${call.path}${call.query ?? ""}`, {
        tenant: "tenant-b",
        ...(call.body === undefined ? {} : { body: call.body }),
      });
      if (call.expect === "not-found") {
        expect(answer.status).toBe(404);
        expect(answer.headers.get("content-type")).toBe("application/problem+json");
        expect(answer.json.code).toMatch(/_NOT_FOUND$/);
        expect(answer.text).not.toContain("tenant-a");
      } else {
        expect(answer.status).toBeLessThan(300);
        expect(answer.text).not.toContain(a.clientId);
        expect(answer.text).not.toContain("A's client");
      }
    });
  }

  it("after all of B's calls, A's client, engagement, import and key are unchanged", async () => {
    const client = await api.call("GET", `/clients/${a.clientId}`, { tenant: "tenant-a" });
    expect(client.json).toMatchObject({ name: "A's client", accountingSystem: "tripletex" });
    const clients = await api.call("GET", "/clients", { tenant: "tenant-a" });
    expect(clients.json.items.map((item: { clientId: string }) => item.clientId)).toEqual([a.clientId]);
    const engagements = await api.call("GET", `/clients/${a.clientId}/engagements`, { tenant: "tenant-a" });
    expect(engagements.json.items).toHaveLength(1);
    expect(engagements.json.items[0].activeImportId).toBe(a.importId);
    expect(engagements.json.items[0].closedAt).toBeNull();
    const key = await api.call("GET", `/clients/${a.clientId}/integrations/tripletex`, { tenant: "tenant-a" });
    expect(key.json).toMatchObject({ system: "tripletex", set: true, masked: "••••6789" });
    const bClients = await api.call("GET", "/clients", { tenant: "tenant-b" });
    expect(bClients.json.items.map((item: { name: string }) => item.name)).toEqual(["B's client"]);
  });
});
