import { describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { problemFor } from "../../../lib/api/problem.ts";
import { ImportVersionSchema, toImportVersionJson } from "../../../lib/imports/importViews.ts";
import type { LinePosition } from "../../../lib/imports/ports.ts";
import { syncFromApi, type SyncDeps, type SyncResult } from "../../../lib/imports/syncFromApi.ts";
import type { ApiSource } from "../../../lib/imports/types.ts";
import { demoCompanyBooks } from "../../../lib/local/fakes/demoBooks.ts";
import type { FaultRule } from "../../../lib/local/fakes/fakeServer.ts";
import { DEMO_POWEROFFICE_SUBSCRIPTION_KEY } from "../../../lib/local/fakes/demoPlatformKeys.ts";
import {
  demoPowerOfficeClients,
  powerOfficeBooksOf,
} from "../../../lib/local/fakes/powerofficeGo/powerOfficeDemoClients.ts";
import { syntheticBooks } from "../../../lib/local/fakes/syntheticBooks.ts";
import { demoTripletexEmployeeTokens } from "../../../lib/local/fakes/tripletex/demoTripletex.ts";
import { FakeTripletexServer } from "../../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import type { IntegrationKeyBySystem, IntegrationSystem } from "../../../lib/secrets/types.ts";
import { useSyncFakes } from "../../helpers/syncFakes.ts";
import { voucherOf } from "../../helpers/tripletexBooks.ts";

/**
 * A sync is an import like a file, seen from the user's side: `syncFromApi` against the fake Tripletex and PowerOffice
 * Go servers (real HTTP on loopback) into the real store (DynamoDB Local). Where the connectors' own tests show what a
 * connector throws, these show what the user then sees: the sync's outcome and code, the version that stays active, and
 * the connection status on the client.
 */

const fakes = useSyncFakes({ name: "sync-fakes" });
const trigger = { kind: "cli" as const, by: "test" };
let clients = 0;

/** The demo Tripletex, fresh for each test (tests change its books and inject faults). */
function startTripletex(): Promise<FakeTripletexServer> {
  return fakes().startTripletex({
    employeeTokens: [
      ...demoTripletexEmployeeTokens(),
      // As the accountant demo key, but allowed to read its own firm's books with username 0 (apis.md), so that only
      // saldo stands between an unbound accountant key and the firm's own figures.
      {
        ...demoTripletexEmployeeTokens().find((token) => token.token === "demo-tripletex-accountant")!,
        token: "firm-accountant",
        ownCompanyAccess: true,
      },
    ],
  });
}

/** A new client (own tenant, so tests never meet) with a 2025 year-end engagement and the key stored. */
async function connectedClient<S extends IntegrationSystem>(
  system: S,
  key: IntegrationKeyBySystem[S],
  options: { companyId?: string; orgNumber?: string } = {},
): Promise<EngagementRef> {
  clients++;
  const [ref] = await fakes().connectClient({
    tenantId: `sync-fakes-${clients}`,
    clientId: "client",
    system,
    key,
    ...(options.orgNumber ? { orgNumber: options.orgNumber } : {}),
    ...(options.companyId ? { integration: { companyId: options.companyId } } : {}),
  });
  return ref!;
}

const activeImportOf = async (ref: EngagementRef) =>
  (await fakes().stores.engagementStore.getEngagement(ref))?.activeImportId;
const connectionOf = async (ref: EngagementRef, system: IntegrationSystem) =>
  (await fakes().stores.engagementStore.getClient(ref))?.integrations?.[system]?.connection;

/** Runs `expire` once, just before the `nth` request to `path` is answered (a token lapsing in the middle of a sync). */
function expireOnce(server: { inject(rule: FaultRule): unknown }, path: string, nth: number, expire: () => void) {
  let seen = 0;
  server.inject({
    path,
    when: () => {
      if (++seen === nth) expire();
      return false;
    },
    fault: { kind: "status", status: 500 },
  });
}

function failureOf(result: SyncResult) {
  expect(result.outcome).toBe("failed");
  return result.run.failure!;
}

/** A new voucher in Nordvik Bygg's 2025 (the demo-tripletex-ok company), so that a re-sync pulls again. */
function bookTripletexVoucher(server: FakeTripletexServer, number: number) {
  server.api.addVoucher(
    Number(demoCompanyBooks("nordvik").company.id),
    voucherOf(number, "2025-11-30", [
      ["1920", 12_500n],
      ["3000", -12_500n],
    ]),
  );
}

describe("a sync against the fake Tripletex, as the user sees it", () => {
  it("imports the year, then refuses the books when the API sends malformed JSON: failed, CONNECTOR_RESPONSE_INVALID, the previous version still active", async () => {
    const server = await startTripletex();
    const deps = fakes().syncDeps({ tripletex: fakes().tripletexConnector(server) });
    const ref = await connectedClient("tripletex", { employeeToken: "demo-tripletex-ok" });
    const first = await syncFromApi(deps, { ref, trigger });
    expect(first.outcome).toBe("imported");

    bookTripletexVoucher(server, 90_001);
    server.server.inject({ path: "/ledger/posting", fault: { kind: "malformed-json" } });
    const failure = failureOf(await syncFromApi(deps, { ref, trigger }));
    expect(failure.code).toBe("CONNECTOR_RESPONSE_INVALID");
    expect(failure.message).toContain("/ledger/posting");
    expect(await activeImportOf(ref)).toBe(first.run.importId);
    expect(await connectionOf(ref, "tripletex")).toMatchObject({ status: "unavailable" });

    // Once the API answers properly again, the next sync brings the new voucher as a new version.
    const again = await syncFromApi(deps, { ref, trigger });
    expect(again.outcome).toBe("imported");
    expect(again.run.counts!.transactions).toBe(first.run.counts!.transactions + 1);
    expect(await activeImportOf(ref)).toBe(again.run.importId);
    expect(await connectionOf(ref, "tripletex")).toMatchObject({ status: "ok" });
  });

  it("fails loudly on a changed response shape, naming the field, and keeps the previous version", async () => {
    const server = await startTripletex();
    const deps = fakes().syncDeps({ tripletex: fakes().tripletexConnector(server) });
    const ref = await connectedClient("tripletex", { employeeToken: "demo-tripletex-ok" });
    const first = await syncFromApi(deps, { ref, trigger });
    bookTripletexVoucher(server, 90_002);
    server.server.inject({
      path: "/balanceSheet",
      when: (request) => request.query.get("count") !== "1", // the pull's read, not the marker's one-row read
      fault: {
        kind: "transform",
        transform: (json) => {
          const body = json as { values: Array<Record<string, unknown>> };
          return { ...body, values: body.values.map((row) => ({ ...row, balanceOut: String(row.balanceOut) })) };
        },
      },
    });
    const failure = failureOf(await syncFromApi(deps, { ref, trigger }));
    expect(failure.code).toBe("CONNECTOR_RESPONSE_INVALID");
    expect(failure.message).toMatch(/balanceSheet.*balanceOut/s);
    expect(await activeImportOf(ref)).toBe(first.run.importId);
  });

  it.each<[string, Omit<FaultRule, "path">, string, string]>([
    [
      "5xx after the retries",
      { fault: { kind: "status", status: 503 }, times: Infinity },
      "CONNECTOR_UNAVAILABLE",
      "unavailable",
    ],
    [
      "a 429 that outlasts the retries",
      { fault: { kind: "status", status: 429, headers: { "retry-after": "0" } }, times: Infinity },
      "CONNECTOR_RATE_LIMITED",
      "rate-limited",
    ],
    ["no answer within the timeout", { fault: { kind: "hang" }, times: Infinity }, "CONNECTOR_TIMEOUT", "unavailable"],
  ])(
    "a pull failing with %s ends failed with its code and the connection's status",
    async (_label, rule, code, status) => {
      const server = await startTripletex();
      const deps = fakes().syncDeps({ tripletex: fakes().tripletexConnector(server) });
      const ref = await connectedClient("tripletex", { employeeToken: "demo-tripletex-ok" });
      const first = await syncFromApi(deps, { ref, trigger });
      bookTripletexVoucher(server, 90_003);
      server.server.inject({ ...rule, path: "/ledger/posting" });
      const failure = failureOf(await syncFromApi(deps, { ref, trigger }));
      expect(failure.code).toBe(code);
      expect(await activeImportOf(ref)).toBe(first.run.importId);
      expect(await connectionOf(ref, "tripletex")).toMatchObject({ status });
      server.server.clearFaults();
    },
  );

  it("rides out transient 5xx, a dropped connection and a slow page: the sync imports the year", async () => {
    const server = await startTripletex();
    const deps = fakes().syncDeps({ tripletex: fakes().tripletexConnector(server) });
    const ref = await connectedClient("tripletex", { employeeToken: "demo-tripletex-ok" });
    server.server.inject({ path: "/ledger/posting", fault: { kind: "status", status: 502 }, times: 2 });
    server.server.inject({ path: "/ledger/posting", fault: { kind: "reset" }, skip: 3 });
    server.server.inject({ path: "/balanceSheet", fault: { kind: "delay", ms: 300 } });
    const result = await syncFromApi(deps, { ref, trigger });
    expect(result.outcome).toBe("imported");
    expect(result.run.counts!.totals.closing).toBe("0.00");
    expect(result.run.source).toMatchObject({ type: "api", system: "tripletex" });
  });

  it("renews an expired session in the middle of a sync and imports the year", async () => {
    const server = await startTripletex();
    const deps = fakes().syncDeps({ tripletex: fakes().tripletexConnector(server) });
    const ref = await connectedClient("tripletex", { employeeToken: "demo-tripletex-ok" });
    const sessionsBefore = server.api.sessionsCreated;
    expireOnce(server.server, "/ledger/posting", 3, () => server.api.expireSessions());
    const result = await syncFromApi(deps, { ref, trigger });
    expect(result.outcome).toBe("imported");
    expect(server.api.sessionsCreated - sessionsBefore).toBeGreaterThanOrEqual(2);
  });

  it("says invalid-key when the stored employee token is not (or no longer) accepted, keeping the previous version", async () => {
    const server = await startTripletex();
    const deps = fakes().syncDeps({ tripletex: fakes().tripletexConnector(server) });
    const ref = await connectedClient("tripletex", { employeeToken: "demo-tripletex-ok" });
    const first = await syncFromApi(deps, { ref, trigger });
    await fakes().keys.put(
      { tenantId: ref.tenantId, clientId: ref.clientId, system: "tripletex" },
      { employeeToken: "revoked" },
    );
    const failure = failureOf(await syncFromApi(deps, { ref, trigger }));
    expect(failure.code).toBe("CONNECTOR_INVALID_KEY");
    expect(failure.message).not.toContain("revoked");
    expect(await activeImportOf(ref)).toBe(first.run.importId);
    expect(await connectionOf(ref, "tripletex")).toMatchObject({ status: "invalid-key" });
  });

  it("syncs the client company an accountant token is bound to, and refuses to sync through it unbound", async () => {
    const server = await startTripletex();
    const deps = fakes().syncDeps({ tripletex: fakes().tripletexConnector(server) });
    const skarvik = demoCompanyBooks("skarvik").company;
    const bound = await connectedClient(
      "tripletex",
      { employeeToken: "demo-tripletex-accountant" },
      { companyId: skarvik.id, orgNumber: skarvik.orgNumber },
    );
    const result = await syncFromApi(deps, { ref: bound, trigger });
    expect(result.outcome).toBe("imported");
    expect(result.run.source).toMatchObject({ company: { id: skarvik.id, name: skarvik.name } });
    expect(result.run.header?.company.orgNumber).toBe(skarvik.orgNumber);

    // Unbound, the token would act as the accounting firm itself: its own books must never become a client's figures.
    const unbound = await connectedClient("tripletex", { employeeToken: "firm-accountant" });
    server.server.clearExchanges();
    const failure = failureOf(await syncFromApi(deps, { ref: unbound, trigger }));
    expect(failure.code).toBe("CONNECTOR_NO_ACCESS");
    expect(failure.message).toMatch(/accountant key that reaches 2 client companies: bind the client/);
    expect(server.server.exchanges.filter((exchange) => exchange.path === "/ledger/posting")).toEqual([]);
    expect(await activeImportOf(unbound)).toBeUndefined();
    expect(await connectionOf(unbound, "tripletex")).toMatchObject({ status: "no-access" });
  });

  it("runs one of two syncs started at once on one engagement and refuses the other with 409 SYNC_ALREADY_RUNNING", async () => {
    const server = await startTripletex();
    const deps = fakes().syncDeps({ tripletex: fakes().tripletexConnector(server) });
    const ref = await connectedClient("tripletex", { employeeToken: "demo-tripletex-ok" });
    const outcomes = await Promise.allSettled([
      syncFromApi(deps, { ref, trigger }),
      syncFromApi(deps, { ref, trigger }),
    ]);
    const ran = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const refused = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(ran).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((ran[0] as PromiseFulfilledResult<SyncResult>).value.outcome).toBe("imported");
    const error = (refused[0] as PromiseRejectedResult).reason as Error;
    expect(error).toMatchObject({ code: "SYNC_ALREADY_RUNNING" });
    expect(problemFor(error, "request-1").problem).toMatchObject({ status: 409, code: "SYNC_ALREADY_RUNNING" });
    expect((await fakes().stores.importStore.listImports(ref, { limit: 10 })).items).toHaveLength(1);
  });
});

describe("a sync against the fake PowerOffice Go, as the user sees it", () => {
  it("imports the year, re-syncs unchanged books in at most 5 requests without a new version, and takes new postings as a new version", async () => {
    const server = await fakes().startPowerOffice();
    const deps = fakes().syncDeps({ "poweroffice-go": fakes().powerOfficeConnector(server) });
    const ref = await connectedClient("poweroffice-go", { clientKey: "demo-poweroffice-ok" });
    const first = await syncFromApi(deps, { ref, trigger });
    expect(first.outcome).toBe("imported");
    expect(first.run.counts!.totals.closing).toBe("0.00");

    const before = server.exchanges.length;
    const unchanged = await syncFromApi(deps, { ref, trigger });
    expect(unchanged.outcome).toBe("unchanged");
    expect(server.exchanges.length - before).toBeLessThanOrEqual(5);
    expect(unchanged.run.source).toMatchObject({ requestCount: server.exchanges.length - before });
    expect(await activeImportOf(ref)).toBe(first.run.importId);

    const voucher = {
      voucherNo: 99_001,
      voucherId: "00000000-0000-4000-8000-000000099001",
      voucherType: "ManualJournal",
      date: "2025-12-15",
      voucherDate: "2025-12-15",
      description: "Nytt bilag",
    };
    server.api.addPostings("demo-poweroffice-ok", [
      { ...voucher, accountNo: 1920, amount: 2_500_00n },
      { ...voucher, accountNo: 3000, amount: -2_500_00n },
    ]);
    const changed = await syncFromApi(deps, { ref, trigger });
    expect(changed.outcome).toBe("imported");
    expect(changed.run.counts!.lines).toBe(first.run.counts!.lines + 2);
    expect(await activeImportOf(ref)).toBe(changed.run.importId);
  });

  it("fails with CONNECTOR_RESPONSE_INVALID when the trial balance comes back as malformed JSON, keeping the previous version", async () => {
    const server = await fakes().startPowerOffice();
    const deps = fakes().syncDeps({ "poweroffice-go": fakes().powerOfficeConnector(server) });
    const ref = await connectedClient("poweroffice-go", { clientKey: "demo-poweroffice-ok" });
    const first = await syncFromApi(deps, { ref, trigger });
    expect(first.outcome).toBe("imported");
    const voucher = {
      voucherNo: 99_002,
      voucherId: "00000000-0000-4000-8000-000000099002",
      voucherType: "ManualJournal",
      date: "2025-10-01",
      voucherDate: "2025-10-01",
    };
    server.api.addPostings("demo-poweroffice-ok", [
      { ...voucher, accountNo: 6300, amount: 900_00n },
      { ...voucher, accountNo: 1920, amount: -900_00n },
    ]);
    server.inject({
      path: "/v2/TrialBalance",
      when: (request) => request.query.get("date") === "2025-12-31",
      fault: { kind: "malformed-json" },
    });
    const failure = failureOf(await syncFromApi(deps, { ref, trigger }));
    expect(failure.code).toBe("CONNECTOR_RESPONSE_INVALID");
    expect(failure.message).toContain("TrialBalance");
    expect(await activeImportOf(ref)).toBe(first.run.importId);
    expect(await connectionOf(ref, "poweroffice-go")).toMatchObject({ status: "unavailable" });
  });

  it("imports a client whose year has no postings yet: every month answers 204, the year is its opening balances", async () => {
    const empty = syntheticBooks({
      postings: 0,
      system: "poweroffice-go",
      companyId: "0b9f6a52-1d7e-4c3a-9f00-000000000001",
      companyName: "Nystartet AS",
    });
    const server = await fakes().startPowerOffice({
      extraClients: [{ clientKey: "empty-client", books: powerOfficeBooksOf(empty) }],
    });
    const deps = fakes().syncDeps({ "poweroffice-go": fakes().powerOfficeConnector(server) });
    const ref = await connectedClient("poweroffice-go", { clientKey: "empty-client" });
    const result = await syncFromApi(deps, { ref, trigger });
    expect(result.outcome).toBe("imported");
    const months = server.exchanges.filter((exchange) => exchange.path === "/v2/AccountTransactions");
    expect(months).toHaveLength(12);
    expect(months.every((exchange) => exchange.status === 204)).toBe(true);
    expect(result.run.counts).toMatchObject({ transactions: 0, lines: 0, totals: { closing: "0.00" } });
    const rows = await fakes().stores.importStore.readTrialBalance({ ...ref, importId: result.run.importId });
    expect(
      rows.filter((row) => row.closing !== 0n).map((row) => [row.account, row.opening, row.movement, row.closing]),
    ).toEqual([
      ["1920", 100_000_000n, 0n, 100_000_000n],
      ["2050", -100_000_000n, 0n, -100_000_000n],
    ]);
  });

  it("keeps two tenants' clients syncing at once on one subscription key under 10 requests a second, and both import", async () => {
    const other = syntheticBooks({
      postings: 3_000,
      system: "poweroffice-go",
      companyId: "0b9f6a52-1d7e-4c3a-9f00-000000000002",
      companyName: "Annen Klient AS",
    });
    const server = await fakes().startPowerOffice({
      extraClients: [{ clientKey: "second-client", books: powerOfficeBooksOf(other) }],
    });
    // One connector for the deployment, as in production: every tenant's sync spends the one subscription key's budget.
    const deps = fakes().syncDeps({ "poweroffice-go": fakes().powerOfficeConnector(server) });
    const first = await connectedClient("poweroffice-go", { clientKey: "demo-poweroffice-ok" });
    const second = await connectedClient("poweroffice-go", { clientKey: "second-client" });
    const results = await Promise.all([
      syncFromApi(deps, { ref: first, trigger }),
      syncFromApi(deps, { ref: second, trigger }),
    ]);
    expect(results.map((result) => result.outcome)).toEqual(["imported", "imported"]);
    expect(server.api.throttled.get(DEMO_POWEROFFICE_SUBSCRIPTION_KEY) ?? 0).toBe(0);
    const accepted = server.api.acceptedAt.get(DEMO_POWEROFFICE_SUBSCRIPTION_KEY)!;
    expect(accepted.length).toBeGreaterThan(20);
    let peak = 0;
    for (let from = 0, to = 0; to < accepted.length; to++) {
      while (accepted[to]! - accepted[from]! >= 1000) from++;
      peak = Math.max(peak, to - from + 1);
    }
    expect(peak).toBeLessThanOrEqual(10);
  });

  it("says invalid-key for an unknown client key and no-access for a client lacking a module, before any figures", async () => {
    const server = await fakes().startPowerOffice();
    const deps = fakes().syncDeps({ "poweroffice-go": fakes().powerOfficeConnector(server) });
    const unknown = await connectedClient("poweroffice-go", { clientKey: "not-a-client-key" });
    expect(failureOf(await syncFromApi(deps, { ref: unknown, trigger })).code).toBe("CONNECTOR_INVALID_KEY");
    expect(await connectionOf(unknown, "poweroffice-go")).toMatchObject({ status: "invalid-key" });

    const lacking = await connectedClient("poweroffice-go", { clientKey: "demo-poweroffice-no-access" });
    expect(failureOf(await syncFromApi(deps, { ref: lacking, trigger })).code).toBe("CONNECTOR_NO_ACCESS");
    expect(await connectionOf(lacking, "poweroffice-go")).toMatchObject({
      status: "no-access",
      missingPrivileges: ["AccountTransaction"],
    });
    expect(server.exchanges.some((exchange) => exchange.path === "/v2/AccountTransactions")).toBe(false);
  });

  it("requests a new token when the API says the cached one expired, and imports the year", async () => {
    const server = await fakes().startPowerOffice();
    const deps = fakes().syncDeps({ "poweroffice-go": fakes().powerOfficeConnector(server) });
    const ref = await connectedClient("poweroffice-go", { clientKey: "demo-poweroffice-ok" });
    expireOnce(server, "/v2/AccountTransactions", 3, () => server.api.expireTokens());
    const result = await syncFromApi(deps, { ref, trigger });
    expect(result.outcome).toBe("imported");
    expect(server.exchanges.filter((exchange) => exchange.path === "/OAuth/Token").length).toBeGreaterThanOrEqual(2);
  });
});

/** Every line of a version, in its order. */
async function linesOf(ref: EngagementRef, importId: string) {
  const lines = [];
  let after: LinePosition | undefined;
  do {
    const page = await fakes().stores.importStore.readTransactionLines(
      { ...ref, importId },
      { limit: 2_000, ...(after ? { after } : {}) },
    );
    lines.push(...page.items);
    after = page.next;
  } while (after);
  return lines;
}

/** A version's trial balance as people see it: per account the figures and what was posted. */
async function trialBalanceOf(ref: EngagementRef, importId: string) {
  const rows = await fakes().stores.importStore.readTrialBalance({ ...ref, importId });
  return rows.map(({ importId: _importId, ...row }) => row);
}

/**
 * The incremental version against a full sync of the same books into a fresh engagement: the same trial balance and
 * the same lines, in the same order, to the øre.
 */
async function expectSameAsFullSync(
  deps: SyncDeps,
  incremental: { ref: EngagementRef; importId: string },
  connect: () => Promise<EngagementRef>,
) {
  const fresh = await connect();
  const full = await syncFromApi(deps, { ref: fresh, trigger });
  expect(full.outcome).toBe("imported");
  expect(full.run.source).toMatchObject({ mode: "full", reason: "no earlier sync" });
  expect(await trialBalanceOf(incremental.ref, incremental.importId)).toEqual(
    await trialBalanceOf(fresh, full.run.importId),
  );
  const lines = await linesOf(incremental.ref, incremental.importId);
  expect(lines).toEqual(await linesOf(fresh, full.run.importId));
  return { full, lines };
}

describe("incremental refresh: only what changed is read again, and the version equals a full sync's", () => {
  it("Tripletex: a changed voucher in March and new ones in November re-read those two windows (versionDigest), the rest kept", async () => {
    const server = await startTripletex();
    const deps = fakes().syncDeps({ tripletex: fakes().tripletexConnector(server) });
    const connect = () => connectedClient("tripletex", { employeeToken: "demo-tripletex-ok" });
    const ref = await connect();
    const first = await syncFromApi(deps, { ref, trigger });
    expect(first.outcome).toBe("imported");
    expect(first.run.source).toMatchObject({ mode: "full", reason: "no earlier sync" });

    const nordvik = demoCompanyBooks("nordvik");
    const companyId = Number(nordvik.company.id);
    const march = [...nordvik.vouchers({ start: "2025-03-01", end: "2025-03-31" })][0]!;
    const [head, next, ...rest] = march.postings;
    server.api.changeVoucher(companyId, {
      ...march,
      postings: [{ ...head!, amount: head!.amount + 123_45n }, { ...next!, amount: next!.amount - 123_45n }, ...rest],
    });
    bookTripletexVoucher(server, 90_101);
    bookTripletexVoucher(server, 90_102);

    server.server.clearExchanges();
    const second = await syncFromApi(deps, { ref, trigger });
    expect(second.outcome).toBe("imported");
    const source = second.run.source as ApiSource;
    expect(source).toMatchObject({
      mode: "incremental",
      baseImportId: first.run.importId,
      windows: [
        { start: "2025-03-01", end: "2025-03-31" },
        { start: "2025-11-01", end: "2025-11-30" },
      ],
    });
    expect(source.reason).toMatch(/2 of 12 postings windows changed/);
    // Postings were read (beyond the plan's one-row digest reads) only in the two changed months.
    const postingReads = server.server.exchanges.filter(
      (exchange) => exchange.path === "/ledger/posting" && exchange.query.get("count") !== "1",
    );
    expect(new Set(postingReads.map((exchange) => exchange.query.get("dateFrom")))).toEqual(
      new Set(["2025-03-01", "2025-11-01"]),
    );
    expect(await activeImportOf(ref)).toBe(second.run.importId);

    const { lines } = await expectSameAsFullSync(deps, { ref, importId: second.run.importId }, connect);
    expect(
      lines.filter((line) => line.transactionId.startsWith("90101") || line.transactionId.startsWith("90102")),
    ).not.toHaveLength(0);
    expect(second.run.counts!.transactions).toBe(first.run.counts!.transactions + 2);

    // The new version's marker carries every window's digest: nothing changed since, so nothing is read.
    const third = await syncFromApi(deps, { ref, trigger });
    expect(third.outcome).toBe("unchanged");
    expect(third.run.source).toMatchObject({ mode: "unchanged" });
  });

  it("Tripletex: an edit that moves no figure (a voucher's text) is still caught by its month's digest and read again", async () => {
    const server = await startTripletex();
    const deps = fakes().syncDeps({ tripletex: fakes().tripletexConnector(server) });
    const connect = () => connectedClient("tripletex", { employeeToken: "demo-tripletex-ok" });
    const ref = await connect();
    const first = await syncFromApi(deps, { ref, trigger });
    const nordvik = demoCompanyBooks("nordvik");
    const june = [...nordvik.vouchers({ start: "2025-06-01", end: "2025-06-30" })][1]!;
    server.api.changeVoucher(Number(nordvik.company.id), { ...june, description: "Rettet bilagstekst" });
    const second = await syncFromApi(deps, { ref, trigger });
    expect(second.run.source).toMatchObject({
      mode: "incremental",
      baseImportId: first.run.importId,
      windows: [{ start: "2025-06-01", end: "2025-06-30" }],
    });
    expect(second.run.source).toMatchObject({ reason: expect.not.stringMatching(/balance sheet/) });
    const { lines } = await expectSameAsFullSync(deps, { ref, importId: second.run.importId }, connect);
    expect(lines.some((line) => line.transactionDescription === "Rettet bilagstekst")).toBe(true);
  });

  it("PowerOffice Go: new postings in December and an edited description in March re-read those two months (created/lastChanged filters), the rest kept", async () => {
    const server = await fakes().startPowerOffice();
    const deps = fakes().syncDeps({ "poweroffice-go": fakes().powerOfficeConnector(server) });
    const connect = () => connectedClient("poweroffice-go", { clientKey: "demo-poweroffice-ok" });
    const ref = await connect();
    const first = await syncFromApi(deps, { ref, trigger });
    expect(first.outcome).toBe("imported");

    const books = demoPowerOfficeClients()[0]!.books;
    const [edited] = books.postings({ from: "2025-03-01", to: "2025-03-31" });
    server.api.changeDescription("demo-poweroffice-ok", edited!.id, "Rettet tekst");
    const voucher = {
      voucherNo: 99_101,
      voucherId: "00000000-0000-4000-8000-000000099101",
      voucherType: "ManualJournal",
      date: "2025-12-10",
      voucherDate: "2025-12-10",
      description: "Etterregistrert",
    };
    server.api.addPostings("demo-poweroffice-ok", [
      { ...voucher, accountNo: 6300, amount: 4_321_99n },
      { ...voucher, accountNo: 1920, amount: -4_321_99n },
    ]);

    const before = server.exchanges.length;
    const second = await syncFromApi(deps, { ref, trigger });
    expect(second.outcome).toBe("imported");
    const source = second.run.source as ApiSource;
    expect(source).toMatchObject({
      mode: "incremental",
      baseImportId: first.run.importId,
      windows: [
        { start: "2025-03-01", end: "2025-03-31" },
        { start: "2025-12-01", end: "2025-12-31" },
      ],
    });
    expect(source.reason).toMatch(/3 new or edited postings in 2 months/);
    const months = server.exchanges
      .slice(before)
      .filter((exchange) => exchange.path === "/v2/AccountTransactions" && exchange.query.has("fromDate"))
      .map((exchange) => exchange.query.get("fromDate"));
    expect(new Set(months)).toEqual(new Set(["2025-01-01", "2025-03-01", "2025-12-01"]));

    const { lines } = await expectSameAsFullSync(deps, { ref, importId: second.run.importId }, connect);
    expect(lines.find((line) => line.recordId === String(edited!.id))?.description).toBe("Rettet tekst");
    expect(second.run.counts!.lines).toBe(first.run.counts!.lines + 2);

    const third = await syncFromApi(deps, { ref, trigger });
    expect(third.outcome).toBe("unchanged");
  });

  it("shows the API provenance on the import resource: base URL, requests, windows, mode and why", async () => {
    const server = await fakes().startPowerOffice();
    const deps = fakes().syncDeps({ "poweroffice-go": fakes().powerOfficeConnector(server) });
    const ref = await connectedClient("poweroffice-go", { clientKey: "demo-poweroffice-ok" });
    const first = await syncFromApi(deps, { ref, trigger });
    const json = toImportVersionJson(first.run);
    expect(ImportVersionSchema.parse(json)).toEqual(json);
    expect(json.source).toMatchObject({
      type: "api",
      system: "poweroffice-go",
      baseUrl: `${server.url}/v2`,
      mode: "full",
      reason: "no earlier sync",
      baseImportId: null,
      requestCount: (first.run.source as ApiSource).requestCount,
    });
    const source = json.source as Extract<typeof json.source, { type: "api" }>;
    expect(source.windows).toHaveLength(12);
    expect(source.requests.length).toBeGreaterThan(12);
    expect(source.requests[0]).toMatchObject({ method: "POST", status: 200 }); // the token
    expect(source.requests.some((request) => request.path.startsWith("/AccountTransactions?"))).toBe(true);
    expect(JSON.stringify(json)).not.toContain("demo-poweroffice-ok");
  });
});
