import { beforeAll, describe, expect, it } from "vitest";
import { IntegrationCompaniesSchema, IntegrationStatusSchema, SyncAcceptedSchema } from "../../../lib/api/schemas.ts";
import { ImportReportSchema } from "../../../lib/imports/importReports.ts";
import { demoCompanyBooks, type DemoCompanySlug } from "../../../lib/local/fakes/demoBooks.ts";
import { captureProcessOutput } from "../../helpers/processOutput.ts";
import { useTestStack } from "../stack/localStackFixture.ts";
import { apiTestClient, type ApiAnswer, type ApiTestClient } from "./apiTestClient.ts";

/**
 * The sync and connection routes over the local API (the same handlers as in the cloud) against the stack's fake
 * Tripletex and PowerOffice Go with their demo keys: a key is checked when stored; the connection shows on the
 * integration resource; an accountant key lists and binds its client companies; a sync answers 202 with the import to
 * follow, which ends imported (then `unchanged`); a second sync while one runs, or a client without a key, is a 409.
 */

// Every log line of the handlers, to check that no key ever appears in one.
process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
const captured = captureProcessOutput();

const local = useTestStack();
/** Each client in a tenant of its own (a tenant has one client per organisation number). */
let tenants = 0;
let tenant = "sync-api-0";
let api: ApiTestClient;
const answers: ApiAnswer[] = [];

async function call(...args: Parameters<ApiTestClient["call"]>): Promise<ApiAnswer> {
  const answer = await api.call(args[0], args[1], { tenant, ...args[2] });
  answers.push(answer);
  return answer;
}

/** A client named and numbered as the demo company, so that the activation gate finds nothing to hold. */
async function createClient(slug: DemoCompanySlug, accountingSystem: "tripletex" | "poweroffice-go"): Promise<string> {
  const company = demoCompanyBooks(slug).company;
  tenant = `sync-api-${++tenants}`;
  const created = await call("POST", "/clients", {
    body: { orgNumber: company.orgNumber, name: company.name, accountingSystem },
  });
  expect(created.status).toBe(201);
  return `/clients/${created.json.clientId}`;
}

async function createEngagement(clientPath: string): Promise<string> {
  const created = await call("POST", `${clientPath}/engagements`, { body: { kind: "year-end", fiscalYear: 2025 } });
  expect(created.status).toBe(201);
  return `${clientPath}/engagements/${created.json.engagementId}`;
}

/** Follows the import resource until its status leaves `queued`/`running` (no wall-clock budget but the test's). */
async function importWhenEnded(href: string) {
  for (;;) {
    const answer = await call("GET", href);
    expect(answer.status).toBe(200);
    const report = ImportReportSchema.parse(answer.json);
    if (report.status !== "queued" && report.status !== "running") return report;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  api = await apiTestClient(local());
});

describe("a client's connection to its accounting system", () => {
  it("shows no key and no connection before a key is stored", async () => {
    const clientPath = await createClient("nordvik", "tripletex");
    const answer = await call("GET", `${clientPath}/integrations/tripletex`);
    expect(answer.status).toBe(200);
    expect(IntegrationStatusSchema.strict().parse(answer.json)).toEqual({
      system: "tripletex",
      set: false,
      companyId: null,
      connection: null,
    });
  });

  it("checks a key when it is stored, records the company reached, and shows it on GET without the key", async () => {
    const clientPath = await createClient("nordvik", "tripletex");
    const stored = await call("PUT", `${clientPath}/integrations/tripletex`, {
      body: { employeeToken: "demo-tripletex-ok" },
    });
    expect(stored.status).toBe(200);
    const status = IntegrationStatusSchema.strict().parse(stored.json);
    expect(status).toMatchObject({
      set: true,
      masked: "••••x-ok",
      connection: { status: "ok", company: { name: "Nordvik Bygg AS" }, missingPrivileges: [] },
    });
    const shown = IntegrationStatusSchema.parse((await call("GET", `${clientPath}/integrations/tripletex`)).json);
    expect(shown.connection).toEqual(status.connection);
    expect(shown.lastUsedAt).toBeDefined();
  });

  it("records invalid-key for a key the system refuses, and re-checks live on POST …/check", async () => {
    const clientPath = await createClient("fjordlys", "poweroffice-go");
    const stored = await call("PUT", `${clientPath}/integrations/poweroffice-go`, {
      body: { clientKey: "not-a-poweroffice-client-key" },
    });
    expect(stored.status).toBe(200);
    const refused = IntegrationStatusSchema.parse(stored.json);
    expect(refused.connection).toMatchObject({ status: "invalid-key", company: null });
    expect(refused.connection?.message).toEqual(expect.any(String));

    await call("PUT", `${clientPath}/integrations/poweroffice-go`, { body: { clientKey: "demo-poweroffice-ok" } });
    const checked = await call("POST", `${clientPath}/integrations/poweroffice-go/check`);
    expect(checked.status).toBe(200);
    const ok = IntegrationStatusSchema.parse(checked.json);
    expect(ok.connection).toMatchObject({ status: "ok", company: { name: "Fjordlys Elektro AS" } });
    expect(Date.parse(ok.connection!.checkedAt)).toBeGreaterThanOrEqual(Date.parse(refused.connection!.checkedAt));
  });

  it("names the privileges a key lacks (no-access)", async () => {
    const clientPath = await createClient("fjordlys", "poweroffice-go");
    const stored = await call("PUT", `${clientPath}/integrations/poweroffice-go`, {
      body: { clientKey: "demo-poweroffice-no-access" },
    });
    expect(IntegrationStatusSchema.parse(stored.json).connection).toMatchObject({
      status: "no-access",
      missingPrivileges: [expect.stringMatching(/AccountTransaction/)],
    });
  });

  it("answers 404 KEY_NOT_FOUND for a check without a key", async () => {
    const clientPath = await createClient("nordvik", "tripletex");
    const answer = await call("POST", `${clientPath}/integrations/tripletex/check`);
    expect(answer.status).toBe(404);
    expect(answer.json.code).toBe("KEY_NOT_FOUND");
  });
});

describe("a Tripletex accountant key: its client companies, one bound to the client", () => {
  let clientPath: string;
  beforeAll(async () => {
    clientPath = await createClient("skarvik", "tripletex");
    await call("PUT", `${clientPath}/integrations/tripletex`, { body: { employeeToken: "demo-tripletex-accountant" } });
  });

  it("is not usable before a company is bound: no-access, saying to bind one", async () => {
    const status = IntegrationStatusSchema.parse((await call("GET", `${clientPath}/integrations/tripletex`)).json);
    expect(status.connection?.status).toBe("no-access");
    expect(status.companyId).toBeNull();
  });

  it("lists the companies the key may log into", async () => {
    const answer = await call("GET", `${clientPath}/integrations/tripletex/companies`);
    expect(answer.status).toBe(200);
    const listed = IntegrationCompaniesSchema.strict().parse(answer.json);
    expect(listed.companies.map((company) => company.name).sort()).toEqual(["Nordvik Bygg AS", "Skarvik Transport AS"]);
    expect(listed.companyId).toBeNull();
  });

  it("refuses a company the key does not reach, changing nothing", async () => {
    const answer = await call("PUT", `${clientPath}/integrations/tripletex/company`, { body: { companyId: "999999" } });
    expect(answer.status).toBe(409);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(answer.json.code).toBe("INTEGRATION_COMPANY_UNREACHABLE");
    const status = IntegrationStatusSchema.parse((await call("GET", `${clientPath}/integrations/tripletex`)).json);
    expect(status.companyId).toBeNull();
  });

  it("binds one, checks the connection as bound, and lists it as bound", async () => {
    const skarvik = demoCompanyBooks("skarvik").company;
    const bound = await call("PUT", `${clientPath}/integrations/tripletex/company`, {
      body: { companyId: skarvik.id },
    });
    expect(bound.status).toBe(200);
    expect(IntegrationStatusSchema.parse(bound.json)).toMatchObject({
      companyId: skarvik.id,
      connection: { status: "ok", company: { id: skarvik.id, name: "Skarvik Transport AS" } },
    });
    const listed = IntegrationCompaniesSchema.parse(
      (await call("GET", `${clientPath}/integrations/tripletex/companies`)).json,
    );
    expect(listed.companyId).toBe(skarvik.id);
  });

  it("keeps the bound company when the same accountant key is stored again, and drops it for a key that cannot reach it", async () => {
    const skarvik = demoCompanyBooks("skarvik").company;
    const again = await call("PUT", `${clientPath}/integrations/tripletex`, {
      body: { employeeToken: "demo-tripletex-accountant" },
    });
    expect(again.status).toBe(200);
    expect(IntegrationStatusSchema.parse(again.json)).toMatchObject({
      companyId: skarvik.id,
      connection: { status: "ok", company: { id: skarvik.id } },
    });
    // A company's own key does not reach Skarvik: the binding goes, and the connection is the key's own company.
    const other = await call("PUT", `${clientPath}/integrations/tripletex`, {
      body: { employeeToken: "demo-tripletex-ok" },
    });
    expect(other.status).toBe(200);
    const status = IntegrationStatusSchema.parse(other.json);
    expect(status.companyId).toBeNull();
    expect(status.connection).toMatchObject({ status: "ok" });
    expect(status.connection?.company?.id).not.toBe(skarvik.id);
  });

  it("refuses a body without a company id, naming the field", async () => {
    const answer = await call("PUT", `${clientPath}/integrations/tripletex/company`, { body: { company: "1" } });
    expect(answer.status).toBe(400);
    expect(answer.json.errors.map((error: { path: string }) => error.path)).toContain("body.companyId");
  });
});

describe("POST …/engagements/{engagementId}/sync", () => {
  it("answers 202 with the import to follow; the import ends imported with the API's provenance, then unchanged", async () => {
    const clientPath = await createClient("nordvik", "tripletex");
    await call("PUT", `${clientPath}/integrations/tripletex`, { body: { employeeToken: "demo-tripletex-ok" } });
    const engagementPath = await createEngagement(clientPath);

    const accepted = await call("POST", `${engagementPath}/sync`);
    expect(accepted.status).toBe(202);
    const body = SyncAcceptedSchema.strict().parse(accepted.json);
    expect(body).toEqual({
      importId: body.importId,
      status: "queued",
      href: `${engagementPath}/imports/${body.importId}`,
    });
    expect(accepted.headers.get("location")).toBe(body.href);

    const imported = await importWhenEnded(body.href);
    expect(imported.status).toBe("succeeded");
    expect(imported.source).toMatchObject({
      type: "api",
      system: "tripletex",
      from: "2025-01-01",
      to: "2025-12-31",
      company: { name: "Nordvik Bygg AS" },
    });
    expect(imported.source.type === "api" && imported.source.requestCount).toBeGreaterThan(0);
    const trialBalance = await call("GET", `${engagementPath}/trial-balance`);
    expect(trialBalance.status).toBe(200);
    expect(trialBalance.json.totals.closing).toBe("0.00");

    const again = SyncAcceptedSchema.parse((await call("POST", `${engagementPath}/sync`)).json);
    const unchanged = await importWhenEnded(again.href);
    expect(unchanged.status).toBe("unchanged");
    expect((await call("GET", `${engagementPath}/trial-balance`)).json.import.importId).toBe(body.importId);
  });

  it("refuses a second sync while one is queued or running (409 SYNC_ALREADY_RUNNING naming it)", async () => {
    const clientPath = await createClient("nordvik", "tripletex");
    await call("PUT", `${clientPath}/integrations/tripletex`, { body: { employeeToken: "demo-tripletex-ok" } });
    const engagementPath = await createEngagement(clientPath);
    const [first, second] = await Promise.all([
      call("POST", `${engagementPath}/sync`),
      call("POST", `${engagementPath}/sync`),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([202, 409]);
    const refused = first.status === 409 ? first : second;
    const accepted = first.status === 202 ? first : second;
    expect(refused.json.code).toBe("SYNC_ALREADY_RUNNING");
    expect(refused.json.detail).toContain(accepted.json.importId);
    await importWhenEnded(accepted.json.href);
  });

  it("answers 409 SYNC_NOT_CONNECTED without a key, and for a client whose system saldo cannot read", async () => {
    const clientPath = await createClient("nordvik", "tripletex");
    const engagementPath = await createEngagement(clientPath);
    const noKey = await call("POST", `${engagementPath}/sync`);
    expect(noKey.status).toBe(409);
    expect(noKey.json).toMatchObject({ code: "SYNC_NOT_CONNECTED", type: "urn:saldo:problem:sync-not-connected" });
    expect(noKey.json.detail).toContain("integrations/tripletex");

    const other = await call("POST", "/clients", {
      body: { orgNumber: "923609016", name: "Annet AS", accountingSystem: "other" },
    });
    const otherEngagement = await createEngagement(`/clients/${other.json.clientId}`);
    const noSystem = await call("POST", `${otherEngagement}/sync`);
    expect(noSystem.status).toBe(409);
    expect(noSystem.json.code).toBe("SYNC_NOT_CONNECTED");
  });

  it("keeps tenants apart: another tenant's engagement is not found", async () => {
    const clientPath = await createClient("nordvik", "tripletex");
    const engagementPath = await createEngagement(clientPath);
    const answer = await api.call("POST", `${engagementPath}/sync`, { tenant: "someone-else" });
    expect(answer.status).toBe(404);
    const integration = await api.call("GET", `${clientPath}/integrations/tripletex/companies`, {
      tenant: "someone-else",
    });
    expect(integration.status).toBe(404);
  });
});

describe("secrets", () => {
  it("never shows a client key or a platform key in an answer or a log line", () => {
    const everything = [...answers.map((answer) => answer.text), ...captured].join("\n");
    for (const secret of [
      "demo-tripletex-accountant",
      "not-a-poweroffice-client-key",
      "saldo-demo-tripletex-consumer",
      "demo-poweroffice-subscription-key",
      "demo-poweroffice-application-key",
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(answers.length).toBeGreaterThan(20);
  });
});
