import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { Engagement, EngagementRef } from "../../../lib/engagements/types.ts";
import { fileSource } from "../../../lib/formats/shared/sources.ts";
import { importFile, type ImportFileDeps } from "../../../lib/imports/importFile.ts";
import { TrialBalanceViewSchema, toTrialBalanceViewJson } from "../../../lib/imports/importViews.ts";
import { inspectFile } from "../../../lib/imports/inspectFile.ts";
import { getTrialBalanceView } from "../../../lib/imports/trialBalanceView.ts";
import { toLedgerJson } from "../../../lib/ledger/ledgerJson.ts";
import { formatOre } from "../../../lib/money/ore.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";
import { viewFailure } from "../../helpers/importHarness.ts";

/*
 * Data: samples/demo-saft-1.30.xml (Fjellbekk Snekkeri AS, Q1 2025) imported into period-end engagement q1, and a
 * year-end 2024 trial balance written below as CSV imported into fy2024. The expected figures were worked out by
 * hand from the XML's Opening*Balance elements and the CSV's last column:
 *
 *   account  demo opening   fy2024 closing   compared   issue
 *   1500      125000.00      125000.00        yes        –
 *   1900      (missing)         500.00        yes        PRIOR_ACCOUNT_MISSING −500.00
 *   1920      482310.50      482000.00        yes        OPENING_DIFFERS_FROM_PRIOR_CLOSING +310.50
 *   2000     −100000.00     −100000.00        yes        –
 *   2050     −389310.50     −389500.00        yes        OPENING_DIFFERS_FROM_PRIOR_CLOSING +189.50
 *   2400      −43000.00      −43000.00        yes        –
 *   2700      −75000.00      −75000.00        yes        –
 *   2710           0.00      (missing)        yes        – (0 = 0)
 *   3000/4000/5000/6300 0.00  −900000/600000/–/–   no (result accounts across a year boundary)
 *   8800      (missing)      300000.00        no         –
 * The issue amounts sum to 0.00 = Σ balance-sheet openings (0.00) − Σ balance-sheet prior closings (0.00).
 */
const demoPath = resolve(import.meta.dirname, "..", "..", "..", "samples", "demo-saft-1.30.xml");

const FY2024_CSV = `Konto;Kontonavn;Inngående saldo;Bevegelse;Utgående saldo
1500;Kundefordringer;100000,00;25000,00;125000,00
1900;Kontanter;500,00;0,00;500,00
1920;Bankinnskudd;200000,00;282000,00;482000,00
2000;Aksjekapital;-100000,00;0,00;-100000,00
2050;Annen egenkapital;-89500,00;-300000,00;-389500,00
2400;Leverandørgjeld;-40000,00;-3000,00;-43000,00
2700;Utgående merverdiavgift, høy sats;-71000,00;-4000,00;-75000,00
3000;Salgsinntekt, avgiftspliktig;0,00;-900000,00;-900000,00
4000;Innkjøp av råvarer og halvfabrikata;0,00;600000,00;600000,00
8800;Årsresultat;0,00;300000,00;300000,00
`;

/** Q2 2025 opening at the demo's Q1 closing, except 3000 (−55000.00 instead of −50000.00) and 4000 (+5000.00). */
const Q2_CSV = `Konto;Kontonavn;Inngående saldo;Bevegelse;Utgående saldo
1500;Kundefordringer;125000,00;0,00;125000,00
1920;Bankinnskudd;442559,75;0,00;442559,75
2000;Aksjekapital;-100000,00;0,00;-100000,00
2050;Annen egenkapital;-389310,50;0,00;-389310,50
2400;Leverandørgjeld;-25000,00;0,00;-25000,00
2700;Utgående merverdiavgift, høy sats;-87500,00;0,00;-87500,00
2710;Inngående merverdiavgift, høy sats;5000,00;0,00;5000,00
3000;Salgsinntekt, avgiftspliktig;-55000,00;0,00;-55000,00
4000;Innkjøp av råvarer og halvfabrikata;25000,00;0,00;25000,00
5000;Lønn til ansatte;41250,75;0,00;41250,75
6300;Leie lokale;18000,00;0,00;18000,00
`;

let stores: InMemoryStores;
let files: MemoryFileSource;
let deps: ImportFileDeps;
let demo: Uint8Array;
let sequence = 0;

const q1: EngagementRef = { tenantId: "t1", clientId: "c1", engagementId: "q1" };
const fy2024: EngagementRef = { tenantId: "t1", clientId: "c1", engagementId: "fy2024" };

async function addClient(tenantId: string, clientId: string): Promise<void> {
  const at = "2025-01-01T00:00:00.000Z";
  await stores.engagementStore.createClient({
    tenantId,
    clientId,
    name: clientId,
    accountingSystem: "other",
    createdAt: at,
    updatedAt: at,
  });
}

async function addEngagement(
  ref: EngagementRef,
  kind: Engagement["kind"],
  periodStart: string,
  periodEnd: string,
  createdAt = "2025-01-01T00:00:00.000Z",
): Promise<void> {
  await stores.engagementStore.createEngagement({
    ...ref,
    kind,
    fiscalYear: Number(periodStart.slice(0, 4)),
    periodStart,
    periodEnd,
    createdAt,
  });
}

/** Uploads `bytes` into the engagement and imports them as the S3 handler would; returns the import id. */
async function upload(ref: EngagementRef, fileName: string, bytes: Uint8Array | string): Promise<string> {
  const key = `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/${fileName}`;
  files.objects.set(key, typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
  sequence++;
  const result = await importFile(deps, {
    bucket: "b",
    key,
    sequencer: sequence.toString(16).padStart(4, "0"),
    eventTime: new Date(Date.parse("2025-04-01T10:00:00.000Z") + sequence * 1000).toISOString(),
    trigger: { kind: "s3-event" },
  });
  if (result.outcome !== "imported") throw new Error(`import of ${fileName} ended ${result.outcome}`);
  return result.run.importId;
}

async function view(ref: EngagementRef, onStore = stores) {
  return toTrialBalanceViewJson(await getTrialBalanceView({ ...onStore }, ref));
}

/** Everything an error says (what the API would turn into a problem response). */
beforeEach(async () => {
  stores = createInMemoryStores({ now: () => new Date("2025-04-01T10:00:00.000Z") });
  files = new MemoryFileSource();
  let id = 0;
  deps = {
    ...stores,
    files,
    retentionSeconds: 3600,
    now: () => new Date("2025-04-01T10:00:00.000Z"),
    newImportId: () => `IMP${String(++id).padStart(4, "0")}`,
  };
  demo = new Uint8Array(await readFile(demoPath));
  await addClient("t1", "c1");
  await addEngagement(fy2024, "year-end", "2024-01-01", "2024-12-31");
  await addEngagement(q1, "period-end", "2025-01-01", "2025-03-31");
});

describe("getTrialBalanceView: the active version", () => {
  it("has the accounts, totals, transactions and issues of `saldo inspect --json` of the same file", async () => {
    await upload(q1, "demo.xml", demo);
    const json = await view(q1);
    const inspected = toLedgerJson(await inspectFile(fileSource(demoPath), { fileName: "demo.xml" }));
    const { accounts, engagement: _e, import: _i, prior: _p, sourcePlan: _sp, ...rest } = json;
    const { accounts: inspectedAccounts, ...inspectedRest } = inspected;
    expect(rest).toEqual(inspectedRest);
    expect(
      accounts.map(({ provenance: _pr, priorClosing: _pc, sources: _s, statedClosing: _sc, ...account }) => account),
    ).toEqual(inspectedAccounts);
    expect(json.accounts).toHaveLength(11);
    expect(json.transactions).toEqual({ count: 6, lines: 14, totalDebit: "252250.75", totalCredit: "252250.75" });
    expect(json.accounts.find((account) => account.account === "1920")).toMatchObject({
      opening: "482310.50",
      movement: "-39750.75",
      closing: "442559.75",
    });
  });

  it("validates against TrialBalanceViewSchema", async () => {
    await upload(fy2024, "saldobalanse-2024.csv", FY2024_CSV);
    await upload(q1, "demo.xml", demo);
    expect(TrialBalanceViewSchema.parse(await view(q1))).toBeDefined();
  });

  it("names the engagement and the import the figures come from, with the file's hash and size", async () => {
    const importId = await upload(q1, "demo.xml", demo);
    const json = await view(q1);
    expect(json.engagement).toEqual({
      engagementId: "q1",
      clientId: "c1",
      kind: "period-end",
      fiscalYear: 2025,
      periodStart: "2025-01-01",
      periodEnd: "2025-03-31",
    });
    expect(json.import).toEqual({
      importId,
      status: "succeeded",
      source: {
        type: "file",
        fileName: "demo.xml",
        key: "uploads/t1/c1/q1/demo.xml",
        sha256: createHash("sha256").update(demo).digest("hex"),
        size: demo.length,
        format: "saft",
        formatVersion: "1.30",
        encoding: "utf-8",
      },
      createdAt: "2025-04-01T10:00:00.000Z",
      finishedAt: "2025-04-01T10:00:00.000Z",
      heldFor: [],
      accepted: null,
    });
  });

  it("gives every account its provenance: the import, the file and the format", async () => {
    const importId = await upload(q1, "demo.xml", demo);
    const json = await view(q1);
    for (const account of json.accounts) {
      expect(account.provenance).toEqual({
        importId,
        format: "saft",
        source: { type: "file", fileName: "demo.xml", key: "uploads/t1/c1/q1/demo.xml" },
      });
    }
  });

  it("shows the version activated last, not the newest upload, after an earlier version is re-activated", async () => {
    const first = await upload(q1, "demo.xml", demo);
    await upload(q1, "q2.csv", Q2_CSV);
    await stores.importStore.activateImport(
      { ...q1, importId: first },
      { orderKey: "~", now: "2025-04-02T00:00:00Z", retentionSeconds: 60, force: true },
    );
    expect((await view(q1)).import.importId).toBe(first);
  });
  it("reads each import's trial-balance rows once per view (5 000 accounts are 5 000 stored rows)", async () => {
    const prior = await upload(fy2024, "fy2024.csv", FY2024_CSV);
    const active = await upload(q1, "demo.xml", demo);
    const reads: string[] = [];
    const importStore = stores.importStore;
    const counting = Object.create(importStore) as typeof importStore;
    counting.readTrialBalance = (ref) => {
      reads.push(ref.importId);
      return importStore.readTrialBalance(ref);
    };
    const json = toTrialBalanceViewJson(await getTrialBalanceView({ ...stores, importStore: counting }, q1));
    expect(json.import.importId).toBe(active);
    expect(json.prior?.importId).toBe(prior);
    expect(reads.sort()).toEqual([active, prior].sort());
  });
});

describe("getTrialBalanceView: reconciliation with the prior engagement's closing", () => {
  it("names the prior engagement and its active import", async () => {
    const priorImport = await upload(fy2024, "saldobalanse-2024.csv", FY2024_CSV);
    await upload(q1, "demo.xml", demo);
    expect((await view(q1)).prior).toEqual({
      engagementId: "fy2024",
      importId: priorImport,
      kind: "year-end",
      periodStart: "2024-01-01",
      periodEnd: "2024-12-31",
    });
  });

  it("gives each account its prior closing, or null when the prior engagement has no such account", async () => {
    await upload(fy2024, "saldobalanse-2024.csv", FY2024_CSV);
    await upload(q1, "demo.xml", demo);
    const shown = await view(q1);
    const priorClosing = Object.fromEntries(shown.accounts.map((a) => [a.account, a.priorClosing]));
    // The default source plan opens from the prior closing, so the prior's accounts the file lacks are listed too.
    expect(shown.accounts.find((a) => a.account === "1900")).toMatchObject({ opening: "500.00", movement: "0.00" });
    expect(shown.accounts.find((a) => a.account === "8800")).toMatchObject({ opening: "0.00", closing: "0.00" });
    expect(priorClosing).toEqual({
      "1900": "500.00",
      "8800": "300000.00",
      "1500": "125000.00",
      "1920": "482000.00",
      "2000": "-100000.00",
      "2050": "-389500.00",
      "2400": "-43000.00",
      "2700": "-75000.00",
      "2710": null,
      "3000": "-900000.00",
      "4000": "600000.00",
      "5000": null,
      "6300": null,
    });
  });

  it("warns for each balance-sheet account whose opening differs from the prior closing, amount = opening − prior closing", async () => {
    await upload(fy2024, "saldobalanse-2024.csv", FY2024_CSV);
    await upload(q1, "demo.xml", demo);
    const issues = (await view(q1)).issues.filter((issue) => issue.code === "OPENING_DIFFERS_FROM_PRIOR_CLOSING");
    expect(issues.map(({ severity, account, amount }) => ({ severity, account, amount }))).toEqual([
      { severity: "warning", account: "1920", amount: "310.50" },
      { severity: "warning", account: "2050", amount: "189.50" },
    ]);
    expect(issues[0]!.message).toContain("opens at 482310.50");
    expect(issues[0]!.message).toContain("closed it at 482000.00");
    expect(issues[0]!.message).toContain("engagement fy2024 (2024-01-01 – 2024-12-31");
  });

  it("warns when a balance-sheet account with a prior closing balance is missing now, amount = −prior closing", async () => {
    await upload(fy2024, "saldobalanse-2024.csv", FY2024_CSV);
    await upload(q1, "demo.xml", demo);
    const issues = (await view(q1)).issues.filter((issue) => issue.code === "PRIOR_ACCOUNT_MISSING");
    expect(issues).toEqual([expect.objectContaining({ severity: "warning", account: "1900", amount: "-500.00" })]);
    expect(issues[0]!.message).toContain("account 1900 (Kontanter) closed at 500.00");
  });

  it("appends the reconciliation after the import's own issues, ordered by account, summing to Σ openings − Σ prior closings", async () => {
    await upload(fy2024, "saldobalanse-2024.csv", FY2024_CSV);
    await upload(q1, "demo.xml", demo);
    const json = await view(q1);
    const own = (await getTrialBalanceView(stores, q1)).run.issues ?? [];
    const added = json.issues.slice(own.length);
    expect(added.map((issue) => issue.account)).toEqual(["1900", "1920", "2050"]);
    const sum = added.reduce((total, issue) => total + BigInt(issue.amount!.replace(".", "")), 0n);
    expect(formatOre(sum)).toBe("0.00");
  });

  it("does not compare result accounts across a year boundary (they open at 0 after the year-end closing)", async () => {
    await upload(fy2024, "saldobalanse-2024.csv", FY2024_CSV);
    await upload(q1, "demo.xml", demo);
    const accounts = (await view(q1)).issues.map((issue) => issue.account);
    for (const resultAccount of ["3000", "4000", "5000", "6300", "8800"]) expect(accounts).not.toContain(resultAccount);
  });

  it("finds the previous fiscal year for a year-end engagement", async () => {
    const fy2025: EngagementRef = { ...q1, engagementId: "fy2025" };
    await addEngagement(fy2025, "year-end", "2025-01-01", "2025-12-31");
    const priorImport = await upload(fy2024, "saldobalanse-2024.csv", FY2024_CSV);
    await upload(fy2025, "demo.xml", demo);
    const json = await view(fy2025);
    expect(json.prior).toMatchObject({ engagementId: "fy2024", importId: priorImport });
    expect(json.issues.filter((issue) => issue.code.includes("PRIOR")).map((issue) => issue.account)).toEqual([
      "1900",
      "1920",
      "2050",
    ]);
  });

  it("finds the previous period for a period-end engagement and, inside the fiscal year, compares result accounts too", async () => {
    const q2: EngagementRef = { ...q1, engagementId: "q2" };
    await addEngagement(q2, "period-end", "2025-04-01", "2025-06-30");
    const q1Import = await upload(q1, "demo.xml", demo);
    await upload(q2, "q2.csv", Q2_CSV);
    const json = await view(q2);
    expect(json.prior).toMatchObject({ engagementId: "q1", importId: q1Import, kind: "period-end" });
    const reconciliation = json.issues.filter((issue) => issue.code === "OPENING_DIFFERS_FROM_PRIOR_CLOSING");
    expect(reconciliation.map(({ account, amount }) => ({ account, amount }))).toEqual([
      { account: "3000", amount: "-5000.00" },
      { account: "4000", amount: "5000.00" },
    ]);
    expect(json.accounts.find((account) => account.account === "3000")?.priorClosing).toBe("-50000.00");
  });

  it("does not compare result accounts inside the fiscal year when the file restarts them at 0", async () => {
    const q2: EngagementRef = { ...q1, engagementId: "q2" };
    await addEngagement(q2, "period-end", "2025-04-01", "2025-06-30");
    await upload(q1, "demo.xml", demo);
    const restarting = Q2_CSV.replace(/^([3-8]\d{3};[^;]*);[^;]*;[^;]*;[^;]*$/gm, "$1;0,00;0,00;0,00");
    await upload(q2, "q2.csv", restarting);
    expect((await view(q2)).issues.filter((issue) => issue.code.includes("PRIOR"))).toEqual([]);
  });

  it("prefers the prior year-end engagement to a period-end one ending the same day", async () => {
    const q4: EngagementRef = { ...q1, engagementId: "q4-2024" };
    await addEngagement(q4, "period-end", "2024-10-01", "2024-12-31", "2025-02-01T00:00:00.000Z");
    await upload(q4, "q4.csv", FY2024_CSV);
    await upload(fy2024, "saldobalanse-2024.csv", FY2024_CSV);
    await upload(q1, "demo.xml", demo);
    expect((await view(q1)).prior?.engagementId).toBe("fy2024");
  });

  it("says nothing about a prior closing when no engagement ends the day before, or it has no active import", async () => {
    await upload(q1, "demo.xml", demo);
    const json = await view(q1);
    expect(json.prior).toBeNull();
    expect(json.accounts.every((account) => account.priorClosing === null)).toBe(true);
    expect(json.issues.filter((issue) => issue.code.includes("PRIOR"))).toEqual([]);
  });

  it("does not compare a file that states no opening balances, and says so once", async () => {
    const q2: EngagementRef = { ...q1, engagementId: "q2" };
    await addEngagement(q2, "period-end", "2025-04-01", "2025-06-30");
    await upload(q1, "demo.xml", demo);
    await upload(q2, "closing-only.csv", "Konto;Kontonavn;Saldo\n1920;Bank;100,00\n2050;Egenkapital;-100,00\n");
    const issues = (await view(q2)).issues.filter((issue) => issue.code.includes("PRIOR"));
    expect(issues).toEqual([expect.objectContaining({ severity: "info", code: "PRIOR_CLOSING_NOT_COMPARED" })]);
  });

  it("never takes the prior closing from another client or another tenant", async () => {
    await addClient("t1", "c2");
    await addEngagement(
      { tenantId: "t1", clientId: "c2", engagementId: "fy2024" },
      "year-end",
      "2024-01-01",
      "2024-12-31",
    );
    await upload({ tenantId: "t1", clientId: "c2", engagementId: "fy2024" }, "other.csv", FY2024_CSV);
    await addClient("t2", "c1");
    await addEngagement(
      { tenantId: "t2", clientId: "c1", engagementId: "fy2024" },
      "year-end",
      "2024-01-01",
      "2024-12-31",
    );
    await upload({ tenantId: "t2", clientId: "c1", engagementId: "fy2024" }, "other.csv", FY2024_CSV);
    await upload(q1, "demo.xml", demo);
    expect((await view(q1)).prior).toBeNull();
  });
});

describe("getTrialBalanceView: errors", () => {
  it("refuses an engagement with no active import yet (conflict)", async () => {
    expect(await viewFailure(view(q1))).toMatchObject({ code: "NO_ACTIVE_IMPORT", category: "conflict" });
  });

  it("answers another tenant's engagement exactly as a missing one", async () => {
    await upload(q1, "demo.xml", demo);
    const other = { ...q1, tenantId: "t2" };
    const empty = createInMemoryStores();
    expect(await viewFailure(view(other))).toEqual(await viewFailure(view(other, empty)));
    expect(await viewFailure(view(other))).toMatchObject({ code: "CLIENT_NOT_FOUND", category: "not-found" });
    await addClient("t2", "c1");
    await empty.engagementStore.createClient(
      (await stores.engagementStore.getClient({ tenantId: "t2", clientId: "c1" }))!,
    );
    expect(await viewFailure(view(other))).toEqual(await viewFailure(view(other, empty)));
    expect(await viewFailure(view(other))).toMatchObject({ code: "ENGAGEMENT_NOT_FOUND", category: "not-found" });
  });

  it("hides the engagements of a deleted client", async () => {
    await upload(q1, "demo.xml", demo);
    const client = (await stores.engagementStore.getClient(q1))!;
    expect(
      await stores.engagementStore.replaceClient(client, { ...client, deletedAt: "2025-04-02T00:00:00.000Z" }),
    ).toEqual({ outcome: "written" });
    expect(await viewFailure(view(q1))).toMatchObject({ code: "CLIENT_NOT_FOUND" });
  });
});
