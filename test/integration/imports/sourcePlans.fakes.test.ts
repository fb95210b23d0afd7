import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { activateEarlierImport } from "../../../lib/imports/activateEarlierImport.ts";
import { importFile } from "../../../lib/imports/importFile.ts";
import { toTrialBalanceViewJson } from "../../../lib/imports/importViews.ts";
import { getSourcePlan, setSourcePlan, toSourcePlanJson } from "../../../lib/imports/sourcePlanView.ts";
import { syncFromApi } from "../../../lib/imports/syncFromApi.ts";
import { getTrialBalanceView } from "../../../lib/imports/trialBalanceView.ts";
import { UPLOAD_METADATA_KEYS } from "../../../lib/imports/uploadOptions.ts";
import { demoCompanyBooks } from "../../../lib/local/fakes/demoBooks.ts";
import { FakeTripletexServer } from "../../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import { formatOre, type Ore } from "../../../lib/money/ore.ts";
import { getEngagementReconciliation } from "../../../lib/imports/engagementReconciliation.ts";
import { getImportReport } from "../../../lib/imports/importReports.ts";
import {
  apiBooks2024,
  apiBooks2025,
  ChainScenario,
  FIGURES_2023,
  OPENING_FILE_2024,
  sieYear,
} from "../../helpers/priorChainScenario.ts";
import { ScriptedConnector } from "../../helpers/scriptedConnector.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";
import { useSyncFakes } from "../../helpers/syncFakes.ts";

/**
 * Source plans end to end (issue #10): a SAF-T file uploaded with the opening role plus the API's transactions, for
 * the demo company whose Tripletex API misreports its 2025 opening balances (havbris, demo-tripletex-wrong-ib) —
 * against DynamoDB Local and the fake Tripletex server over loopback HTTP.
 */

const fakes = useSyncFakes({ name: "source-plans", timeoutMs: 5_000, fakes: "per-file" });
const YEAR = { start: "2025-01-01", end: "2025-12-31" };
const trigger = { kind: "cli" as const, by: "test" };
const books = demoCompanyBooks("havbris");
const truth = books.trialBalance(YEAR);

const files = new MemoryFileSource();
let uploads = 0;
let tripletex: FakeTripletexServer;

beforeAll(async () => {
  tripletex = await fakes().startTripletex();
});
afterEach(() => files.objects.clear());

const syncDeps = () => fakes().syncDeps({ tripletex: fakes().tripletexConnector(tripletex) });

/** Havbris connected through Tripletex (the key stored, the connection recorded), with its 2025 engagement. */
async function connectedHavbris(tenantId: string): Promise<EngagementRef> {
  const [ref] = await fakes().connectClient({
    tenantId,
    clientId: "havbris",
    system: "tripletex",
    key: { employeeToken: "demo-tripletex-wrong-ib" },
    name: books.company.name,
    integration: { connection: { status: "ok", checkedAt: new Date().toISOString() } },
  });
  return ref!;
}

/** A SAF-T trial balance of the company's 2025 with the true opening and closing balances (no transactions). */
function saftWithTrueOpening(): Uint8Array {
  const balance = (kind: "Opening" | "Closing", amount: Ore) =>
    amount < 0n
      ? `<${kind}CreditBalance>${formatOre(-amount)}</${kind}CreditBalance>`
      : `<${kind}DebitBalance>${formatOre(amount)}</${kind}DebitBalance>`;
  const accounts = truth
    .map(
      (row) =>
        `<Account><AccountID>${row.account.number}</AccountID><AccountDescription>${row.account.name}</AccountDescription>` +
        `<StandardAccountID>${row.account.standardAccountId}</StandardAccountID><AccountType>GL</AccountType>` +
        `${balance("Opening", row.opening)}${balance("Closing", row.closing)}</Account>`,
    )
    .join("\n");
  return new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?>
<AuditFile xmlns="urn:StandardAuditFile-Taxation-Financial:NO">
<Header><AuditFileVersion>1.30</AuditFileVersion><AuditFileCountry>NO</AuditFileCountry><AuditFileDateCreated>2026-01-15</AuditFileDateCreated>
<SoftwareCompanyName>T</SoftwareCompanyName><SoftwareID>T</SoftwareID><SoftwareVersion>1</SoftwareVersion>
<Company><RegistrationNumber>${books.company.orgNumber}</RegistrationNumber><Name>${books.company.name}</Name></Company><DefaultCurrencyCode>NOK</DefaultCurrencyCode>
<SelectionCriteria><SelectionStartDate>${YEAR.start}</SelectionStartDate><SelectionEndDate>${YEAR.end}</SelectionEndDate></SelectionCriteria><TaxAccountingBasis>A</TaxAccountingBasis></Header>
<MasterFiles><GeneralLedgerAccounts>
${accounts}
</GeneralLedgerAccounts></MasterFiles>
</AuditFile>
`);
}

async function upload(ref: EngagementRef, fileName: string, bytes: Uint8Array, role?: "opening") {
  const key = `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/${fileName}`;
  files.objects.set(key, bytes);
  if (role) files.metadata.set(key, { [UPLOAD_METADATA_KEYS.role]: role });
  uploads++;
  return importFile(
    { ...fakes().stores, files, retentionSeconds: 3600, heartbeatSeconds: 0.5 },
    {
      bucket: "saldo-uploads",
      key,
      eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, uploads)).toISOString(),
      sequencer: String(uploads).padStart(4, "0"),
      trigger: { kind: "s3-event" },
    },
  );
}

describe("source plans: a SAF-T file with the opening role plus the API's transactions", () => {
  it("gives a consistent engagement whose figures say which came from where", async () => {
    const ref = await connectedHavbris("plans-e2e-1");
    const opening = await upload(ref, "havbris-2025.xml", saftWithTrueOpening(), "opening");
    expect(opening.outcome).toBe("imported");
    if (opening.outcome !== "imported") return;
    expect(opening.run.role).toBe("opening");
    expect(opening.activation).toMatchObject({ outcome: "activated", slot: "opening" });

    // The API's opening leaves the 2024 result out of equity: alone it would be held (OPENING_NOT_BALANCED). With the
    // opening from the file, the plan does not take the API's opening or stated closing, so nothing holds it.
    const sync = await syncFromApi(syncDeps(), { ref, trigger });
    expect(sync.outcome).toBe("imported");
    if (sync.outcome !== "imported") return;
    expect(sync.run.status).toBe("succeeded");
    expect(sync.run.issues?.map((issue) => issue.code)).toContain("OPENING_NOT_BALANCED");
    expect(sync.run.heldFor ?? []).toEqual([]);
    // The issue stays on its report, marked as not affecting the figures (and why), as stored and as the API answers.
    const report = await getImportReport(fakes().stores, sync.run);
    expect(report.issues.find((issue) => issue.code === "OPENING_NOT_BALANCED")).toMatchObject({
      severity: "error",
      affectsFigures: false,
      unusedByPlan: { column: "opening", openingFrom: "file" },
    });

    const view = toTrialBalanceViewJson(await getTrialBalanceView(fakes().stores, ref));
    expect(view.totals).toEqual({ opening: "0.00", movement: "0.00", closing: "0.00" });
    const shown = new Map(view.accounts.map((account) => [account.account, account]));
    for (const row of truth) {
      const account = shown.get(row.account.number);
      const expected = {
        opening: formatOre(row.opening),
        movement: formatOre(row.movement),
        closing: formatOre(row.closing),
      };
      if (account === undefined) {
        expect(expected, `account ${row.account.number}`).toEqual({
          opening: "0.00",
          movement: "0.00",
          closing: "0.00",
        });
        continue;
      }
      expect({
        account: account.account,
        opening: account.opening,
        movement: account.movement,
        closing: account.closing,
      }).toEqual({
        account: row.account.number,
        ...expected,
      });
      expect(account.sources).toEqual({
        opening: {
          kind: "file",
          importId: opening.run.importId,
          engagementId: null,
          system: null,
          format: "saft",
          column: "opening",
          missing: false,
          priorClosing: null,
        },
        movement: {
          kind: "api",
          importId: sync.run.importId,
          engagementId: null,
          system: "tripletex",
          format: "tripletex",
          column: null,
          missing: false,
          priorClosing: null,
        },
        closing: "computed",
      });
    }
    // Where the API states another closing (its wrong opening carried through), the figure shows what it states.
    const adjusted = books.reportedOpeningAdjustments[0]!;
    const equity = shown.get(adjusted.account)!;
    expect(equity.statedClosing).not.toBe(equity.closing);
    expect(view.sourcePlan).toMatchObject({
      opening: { source: "file", chosenBy: "default" },
      movement: { source: "api", chosenBy: "default" },
      activeImportId: sync.run.importId,
      imports: { file: null, api: sync.run.importId, opening: opening.run.importId },
    });
  });

  it("switches the plan atomically and versioned: the API's own opening, then back; a failed import changes no slot", async () => {
    const ref = await connectedHavbris("plans-e2e-2");
    const opening = await upload(ref, "havbris-2025.xml", saftWithTrueOpening(), "opening");
    const sync = await syncFromApi(syncDeps(), { ref, trigger });
    if (opening.outcome !== "imported" || sync.outcome !== "imported") throw new Error("expected imports");
    const missing = books.reportedOpeningAdjustments.reduce((total, adjustment) => total + adjustment.amount, 0n);

    const apiPlan = toSourcePlanJson(await setSourcePlan(fakes().stores, ref, { opening: "api" }));
    expect(apiPlan.opening).toMatchObject({
      source: "api",
      chosenBy: "explicit",
      from: { importId: sync.run.importId },
    });
    expect((await getTrialBalanceView(fakes().stores, ref)).summary.totals.opening).toBe(missing);

    const noOpening = toSourcePlanJson(await setSourcePlan(fakes().stores, ref, { opening: "none", movement: "file" }));
    expect(noOpening).toMatchObject({
      opening: { source: "none", from: { kind: "none", missing: false } },
      movement: { source: "file", chosenBy: "explicit", from: { kind: "file", missing: true } },
      activeImportId: null,
      imports: { api: sync.run.importId, opening: opening.run.importId },
    });

    const back = toSourcePlanJson(await setSourcePlan(fakes().stores, ref, {}));
    expect(back).toMatchObject({
      opening: { source: "file", chosenBy: "default" },
      movement: { source: "api", chosenBy: "default" },
      activeImportId: sync.run.importId,
    });
    expect((await getTrialBalanceView(fakes().stores, ref)).summary.totals).toEqual({
      opening: 0n,
      movement: 0n,
      closing: 0n,
    });

    const before = await fakes().stores.engagementStore.getEngagement(ref);
    const broken = await upload(ref, "broken.xml", new TextEncoder().encode("<AuditFile><Header>"), "opening");
    expect(broken.outcome).toBe("failed");
    const after = await fakes().stores.engagementStore.getEngagement(ref);
    expect(after?.sources).toEqual(before?.sources);
    expect(after?.activeImportId).toBe(before?.activeImportId);
    expect(toSourcePlanJson(await getSourcePlan(fakes().stores, ref))).toEqual(back);
  });

  it("holds a newer import of a slot the plan does not let replace its import, until a person accepts it", async () => {
    const ref = await connectedHavbris("plans-e2e-3");
    const first = await upload(ref, "havbris-2025.xml", saftWithTrueOpening(), "opening");
    if (first.outcome !== "imported") throw new Error("expected an import");
    await setSourcePlan(fakes().stores, ref, { replace: false });
    const second = await upload(ref, "havbris-2025-v2.xml", saftWithTrueOpening(), "opening");
    expect(second.outcome).toBe("held");
    if (second.outcome !== "held") return;
    expect(second.run.heldFor).toEqual(["SOURCE_REPLACE_NOT_ALLOWED"]);
    expect((await fakes().stores.engagementStore.getEngagement(ref))?.sources?.opening?.importId).toBe(
      first.run.importId,
    );
    const accepted = await activateEarlierImport({ ...fakes().stores, retentionSeconds: 3600 }, second.run, {
      accept: ["SOURCE_REPLACE_NOT_ALLOWED"],
      by: "test",
    });
    expect(accepted).toMatchObject({ changed: true, previousImportId: first.run.importId });
    expect((await fakes().stores.engagementStore.getEngagement(ref))?.sources?.opening?.importId).toBe(
      second.run.importId,
    );
    expect((await fakes().stores.importStore.getImport(first.run))?.status).toBe("superseded");
  });
});

describe("the prior closing along a chain of engagements, on DynamoDB Local", () => {
  it("2025 opens with 2024's composed closing (opening-role file + API movement) and follows changes of 2024 and 2023", async () => {
    const { stores, keys } = fakes();
    const scenario = new ChainScenario(
      { ...stores, files, keys, connector: new ScriptedConnector(apiBooks2024()) },
      "chain-e2e-1",
    );
    await scenario.seed();
    const { refs } = scenario;
    const file2023 = await scenario.upload(2023, "2023.se", sieYear(2023, FIGURES_2023));
    await setSourcePlan(stores, refs[2024], { opening: "file" });
    const opening2024 = await scenario.upload(2024, "ib-2024.se", sieYear(2023, OPENING_FILE_2024), "opening");
    const sync2024 = await scenario.sync(2024, apiBooks2024());
    await scenario.sync(2025, apiBooks2025());

    const view2024 = toTrialBalanceViewJson(await getTrialBalanceView(stores, refs[2024]));
    const view2025 = toTrialBalanceViewJson(await getTrialBalanceView(stores, refs[2025]));
    const closing2024 = new Map(view2024.accounts.map((account) => [account.account, account.closing]));
    expect(closing2024.get("1920")).toBe("2650.00");
    for (const account of view2025.accounts) {
      const resultAccount = /^[3-8]/.test(account.account);
      expect([account.account, account.opening]).toEqual([
        account.account,
        resultAccount ? "0.00" : (closing2024.get(account.account) ?? "0.00"),
      ]);
    }
    expect(view2025.accounts.find((account) => account.account === "1920")?.sources.opening).toEqual({
      kind: "prior",
      importId: sync2024.importId,
      engagementId: "2024",
      system: "tripletex",
      format: "tripletex",
      column: "closing",
      missing: false,
      priorClosing: {
        closing: "composed",
        opening: {
          kind: "file",
          importId: opening2024.importId,
          engagementId: null,
          system: null,
          format: "sie",
          column: "closing",
          missing: false,
        },
        movement: {
          kind: "api",
          importId: sync2024.importId,
          engagementId: null,
          system: "tripletex",
          format: "tripletex",
          column: null,
          missing: false,
        },
        imports: [sync2024.importId, opening2024.importId],
        statedAt: null,
      },
    });
    // Read back from DynamoDB Local: stored after the sync, before any read.
    expect(await stores.importStore.getReconciliation(refs[2025])).toMatchObject({ status: "reconciled" });

    // 2024 opens from 2023 now (1920 at 1 500,00, not the file's 1 400,00): 2025's stored reconciliation follows.
    await setSourcePlan(stores, refs[2024], { opening: "prior" });
    expect(await stores.importStore.getReconciliation(refs[2025])).toMatchObject({
      status: "differences",
      differences: [
        { code: "OPENING_API_DIFFERS", account: "1920", amount: "-100.00" },
        { code: "OPENING_API_DIFFERS", account: "2050", amount: "100.00" },
      ],
    });
    // A corrected 2023 (closing 1920 at 1 400,00) reaches it, two engagements on.
    await scenario.upload(2023, "2023-v2.se", sieYear(2023, OPENING_FILE_2024));
    expect(await stores.importStore.getReconciliation(refs[2025])).toMatchObject({ status: "reconciled", count: 0 });
    expect(await getEngagementReconciliation(stores, refs[2025])).toMatchObject({ status: "reconciled" });
    // Re-activating the first 2023 version goes back.
    await activateEarlierImport({ ...stores, retentionSeconds: 3600 }, file2023, {});
    expect(await stores.importStore.getReconciliation(refs[2025])).toMatchObject({ status: "differences", count: 2 });
    const opening1920 = toTrialBalanceViewJson(await getTrialBalanceView(stores, refs[2025])).accounts.find(
      (account) => account.account === "1920",
    );
    expect(opening1920).toMatchObject({ opening: "2750.00", priorClosing: "2750.00" });
  });
});
