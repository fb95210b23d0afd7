import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { activateEarlierImport } from "../../../lib/imports/activateEarlierImport.ts";
import { compareImports } from "../../../lib/imports/compareImports.ts";
import { importFile, type ImportFileDeps } from "../../../lib/imports/importFile.ts";
import { getTrialBalanceView } from "../../../lib/imports/trialBalanceView.ts";
import type { ImportRef, ImportRun } from "../../../lib/imports/types.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { hasSharedFixtures, sharedFixture } from "../../helpers/fixtures.ts";
import { importDeps, viewFailure } from "../../helpers/importHarness.ts";
import { CSV_ALL_AMOUNTS_UNREADABLE, CSV_NO_ACCOUNT_ROWS, SWEDISH_SIE } from "../../helpers/gateFiles.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";
import { lease } from "../store/storeFixtures.ts";

/*
 * The activation gate of importFile (lib/imports/activationRules.ts) on the cases of issue #7: a Norwegian client's
 * Q1 2025 period-end engagement with the demo SAF-T active, then files that must not replace it on their own.
 */
const demoPath = resolve(import.meta.dirname, "..", "..", "..", "samples", "demo-saft-1.30.xml");

const RETENTION = 3600;
const T0 = Date.parse("2025-04-01T10:00:00.000Z");
let clock: number;
let stores: InMemoryStores;
let files: MemoryFileSource;
let deps: ImportFileDeps;
let demo: Uint8Array;
let sequence: number;

const q1: EngagementRef = { tenantId: "t1", clientId: "c1", engagementId: "q1" };

async function upload(fileName: string, bytes: Uint8Array | string, ref: EngagementRef = q1) {
  const key = `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/${fileName}`;
  files.objects.set(key, typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
  sequence++;
  return importFile(deps, {
    bucket: "b",
    key,
    sequencer: sequence.toString(16).padStart(4, "0"),
    eventTime: new Date(T0 + sequence * 1000).toISOString(),
    trigger: { kind: "s3-event" },
  });
}

async function held(fileName: string, bytes: Uint8Array | string, ref: EngagementRef = q1): Promise<ImportRun> {
  const result = await upload(fileName, bytes, ref);
  expect(result.outcome).toBe("held");
  if (result.outcome !== "held") throw new Error(result.outcome);
  return result.run;
}

const activate = (ref: ImportRef, request?: { accept?: string[]; by?: string }) =>
  activateEarlierImport({ ...stores, retentionSeconds: RETENTION, now: () => new Date(clock) }, ref, request);

async function createClient(clientId: string, orgNumber?: string): Promise<void> {
  const at = new Date(T0).toISOString();
  await stores.engagementStore.createClient({
    tenantId: "t1",
    clientId,
    name: clientId,
    ...(orgNumber === undefined ? {} : { orgNumber }),
    accountingSystem: "other",
    createdAt: at,
    updatedAt: at,
  });
  await stores.engagementStore.createEngagement({
    tenantId: "t1",
    clientId,
    engagementId: "q1",
    kind: "period-end",
    fiscalYear: 2025,
    periodStart: "2025-01-01",
    periodEnd: "2025-03-31",
    createdAt: at,
  });
}

let active: ImportRef;

beforeEach(async () => {
  clock = T0;
  sequence = 0;
  stores = createInMemoryStores({ now: () => new Date(clock) });
  files = new MemoryFileSource();
  deps = importDeps(stores, files, () => new Date(clock), RETENTION);
  demo = new Uint8Array(await readFile(demoPath));
  await createClient("c1", "923609016");
  const first = await upload("demo.xml", demo);
  if (first.outcome !== "imported") throw new Error(`the demo was not imported: ${first.outcome}`);
  expect(first.run.status).toBe("succeeded");
  active = { ...q1, importId: first.run.importId };
});

/** The engagement's active version and its figures are still the demo's. */
async function expectDemoStillActive(ref: EngagementRef = q1): Promise<void> {
  expect((await stores.engagementStore.getEngagement(ref))?.activeImportId).toBe(active.importId);
  const view = await getTrialBalanceView(stores, ref);
  expect(view.run.importId).toBe(active.importId);
  expect(view.summary.rows).toHaveLength(11);
}

describe("importFile: the activation gate", () => {
  it("holds a Swedish company's SIE file (other org number, SEK, 2017); the active version stays", async () => {
    const run = await held("sverige.se", SWEDISH_SIE);
    expect(run.status).toBe("held");
    expect(run.heldFor).toEqual(["ORG_NUMBER_MISMATCH", "CURRENCY_MISMATCH", "ENGAGEMENT_PERIOD_MISMATCH"]);
    expect(run.issues).toEqual(
      expect.arrayContaining([
        {
          severity: "error",
          code: "ORG_NUMBER_MISMATCH",
          message: "the file is for organisation number 5566778899, but the client's is 923609016",
        },
        {
          severity: "error",
          code: "CURRENCY_MISMATCH",
          message: "the file's figures are in SEK, but the client's currency is NOK",
        },
        expect.objectContaining({ severity: "error", code: "ENGAGEMENT_PERIOD_MISMATCH" }),
      ]),
    );
    expect(run.counts).toMatchObject({ accounts: 2, transactions: 1 });
    expect(run.expiresAt).toBe(Math.floor(T0 / 1000) + RETENTION);
    expect(await stores.importStore.getImport({ ...q1, importId: run.importId })).toMatchObject({
      status: "held",
      heldFor: run.heldFor,
    });
    await expectDemoStillActive();
  });

  it.skipIf(!hasSharedFixtures)(
    "holds a vendor's Swedish SIE file from the shared fixtures for the same reasons",
    async () => {
      const path = sharedFixture("sie/sie4j/SIE_with_long_voucher_series_number.SE");
      const run = await held(basename(path), new Uint8Array(await readFile(path)));
      expect(run.heldFor).toEqual(
        expect.arrayContaining(["ORG_NUMBER_MISMATCH", "CURRENCY_MISMATCH", "ENGAGEMENT_PERIOD_MISMATCH"]),
      );
      await expectDemoStillActive();
    },
  );

  it("holds a CSV whose every amount is unreadable: no figures, and the figures it has are unreliable", async () => {
    const run = await held("tb.csv", CSV_ALL_AMOUNTS_UNREADABLE);
    expect(run.heldFor).toEqual(["IMPORT_HAS_NO_FIGURES", "FIGURES_UNRELIABLE"]);
    expect(run.issues).toContainEqual(
      expect.objectContaining({
        code: "FIGURES_UNRELIABLE",
        message: "the report has error-level issues that make the figures unreliable: CSV_INVALID_AMOUNT ×4",
      }),
    );
    expect(run.issues).toContainEqual(
      expect.objectContaining({ severity: "info", code: "ENGAGEMENT_PERIOD_NOT_STATED" }),
    );
    await expectDemoStillActive();
  });

  it("holds a CSV without account rows, also as an engagement's first import: it never becomes active", async () => {
    const run = await held("empty.csv", CSV_NO_ACCOUNT_ROWS);
    expect(run.heldFor).toContain("IMPORT_HAS_NO_FIGURES");
    await expectDemoStillActive();

    await createClient("c2", "974760673");
    const first = await held("empty.csv", CSV_NO_ACCOUNT_ROWS, { ...q1, clientId: "c2" });
    expect(first.heldFor).toContain("IMPORT_HAS_NO_FIGURES");
    expect((await stores.engagementStore.getEngagement({ ...q1, clientId: "c2" }))?.activeImportId).toBeUndefined();
  });

  it("holds a file whose control totals are off (FIGURES_UNRELIABLE)", async () => {
    const text = new TextDecoder()
      .decode(demo)
      .replace("<TotalDebit>252250.75</TotalDebit>", "<TotalDebit>252250.00</TotalDebit>");
    const run = await held("demo-off.xml", text);
    expect(run.heldFor).toEqual(["FIGURES_UNRELIABLE"]);
    expect(run.issues).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining("CONTROL_DEBIT_MISMATCH") }),
    );
    await expectDemoStillActive();
  });

  it("a held import's figures can be compared with the active version before anyone activates it", async () => {
    const run = await held("sverige.se", SWEDISH_SIE);
    const comparison = await compareImports(
      { ...stores, now: () => new Date(clock) },
      { ...q1, importId: run.importId },
      active.importId,
    );
    expect(comparison.base.importId).toBe(run.importId);
    expect(comparison.accounts.map((account) => account.account)).toContain("1930");
  });
});

describe("importFile: a client without an organisation number", () => {
  it("takes the number of the first file activated into it, and later files are checked against it", async () => {
    await createClient("c2");
    const c2 = { ...q1, clientId: "c2" };
    // Another client (c1) has the demo's number: that file is held, and c2 does not take the number.
    const other = await held("demo.xml", demo, c2);
    expect(other.heldFor).toEqual(["ORG_NUMBER_OF_OTHER_CLIENT"]);
    expect((await stores.engagementStore.getClient(c2))?.orgNumber).toBeUndefined();

    const text = new TextDecoder()
      .decode(demo)
      .replace(
        "<RegistrationNumber>923609016</RegistrationNumber>",
        "<RegistrationNumber>NO974760673MVA</RegistrationNumber>",
      );
    const first = await upload("own.xml", text, c2);
    expect(first.outcome === "imported" && first.run.status).toBe("succeeded");
    expect((await stores.engagementStore.getClient(c2))?.orgNumber).toBe("974760673");

    const swedish = await held("sverige.se", SWEDISH_SIE, c2);
    expect(swedish.heldFor).toContain("ORG_NUMBER_MISMATCH");
  });
});

describe("activating a held import", () => {
  it("is refused until every reason is accepted, listing those not accepted; the active version stays", async () => {
    const run = await held("sverige.se", SWEDISH_SIE);
    const ref = { ...q1, importId: run.importId };
    const none = await viewFailure(activate(ref));
    expect(none).toMatchObject({
      code: "IMPORT_HELD",
      category: "conflict",
      context: { notAccepted: ["ORG_NUMBER_MISMATCH", "CURRENCY_MISMATCH", "ENGAGEMENT_PERIOD_MISMATCH"] },
    });
    expect(none.message).toContain("--accept ORG_NUMBER_MISMATCH,CURRENCY_MISMATCH,ENGAGEMENT_PERIOD_MISMATCH");
    const some = await viewFailure(activate(ref, { accept: ["ORG_NUMBER_MISMATCH", "CURRENCY_MISMATCH"] }));
    expect(some).toMatchObject({ code: "IMPORT_HELD", context: { notAccepted: ["ENGAGEMENT_PERIOD_MISMATCH"] } });
    await expectDemoStillActive();
  });

  it("with every reason accepted becomes the active version, recording who accepted what and when", async () => {
    const run = await held("sverige.se", SWEDISH_SIE);
    clock = T0 + 60_000;
    const outcome = await activate(
      { ...q1, importId: run.importId },
      { accept: ["ENGAGEMENT_PERIOD_MISMATCH", "CURRENCY_MISMATCH", "ORG_NUMBER_MISMATCH"], by: "user-1" },
    );
    expect(outcome).toMatchObject({ changed: true, previousImportId: active.importId });
    const stored = await stores.importStore.getImport({ ...q1, importId: run.importId });
    expect(stored).toMatchObject({
      status: "succeeded",
      heldFor: run.heldFor,
      accepted: { codes: run.heldFor, by: "user-1", at: new Date(T0 + 60_000).toISOString() },
    });
    expect(stored?.expiresAt).toBeUndefined();
    expect((await stores.importStore.getImport(active))?.status).toBe("superseded");
    const view = await getTrialBalanceView(stores, q1);
    expect(view.run.importId).toBe(run.importId);
    expect(view.summary.rows.map((row) => row.account)).toEqual(["1930", "3001"]);
    // Its data no longer expires: long after the retention it is still the active version's.
    clock = T0 + (RETENTION + 600) * 1000;
    expect((await getTrialBalanceView(stores, q1)).summary.rows).toHaveLength(2);
  });

  it("is refused for an import without figures, whatever is accepted", async () => {
    const run = await held("tb.csv", CSV_ALL_AMOUNTS_UNREADABLE);
    const error = await viewFailure(
      activate({ ...q1, importId: run.importId }, { accept: ["IMPORT_HAS_NO_FIGURES", "FIGURES_UNRELIABLE"] }),
    );
    expect(error).toMatchObject({ code: "IMPORT_HAS_NO_FIGURES", category: "conflict" });
    expect(error.message).toContain("which no one can accept");
    await expectDemoStillActive();
  });

  it("is refused after its retention, when its data may be gone", async () => {
    const run = await held("sverige.se", SWEDISH_SIE);
    clock = T0 + (RETENTION + 60) * 1000;
    const accept = ["ORG_NUMBER_MISMATCH", "CURRENCY_MISMATCH", "ENGAGEMENT_PERIOD_MISMATCH"];
    expect(await viewFailure(activate({ ...q1, importId: run.importId }, { accept }))).toMatchObject({
      code: "IMPORT_EXPIRED",
      message: expect.stringContaining("was held"),
    });
  });

  it("refuses an earlier version without accounts and transactions (imported before the gate existed)", async () => {
    const empty: ImportRun = {
      ...(await stores.importStore.getImport(active))!,
      importId: "IMP-EMPTY",
      sourceId: "s3:empty",
      status: "superseded",
      counts: {
        accounts: 0,
        transactions: 0,
        lines: 0,
        totals: { opening: "0.00", movement: "0.00", closing: "0.00" },
        issues: { error: 1, warning: 0, info: 0 },
      },
    };
    await stores.importStore.claimImport(empty, lease(new Date(T0 + 900_000).toISOString()));
    await stores.importStore.saveImport(empty);
    expect(await viewFailure(activate({ ...q1, importId: "IMP-EMPTY" }))).toMatchObject({
      code: "IMPORT_HAS_NO_FIGURES",
      message: expect.stringContaining("no accounts and no transactions"),
    });
    await expectDemoStillActive();
  });

  it("gives a client without an organisation number the activated file's", async () => {
    await createClient("c2");
    const c2 = { ...q1, clientId: "c2" };
    const text = new TextDecoder()
      .decode(demo)
      .replace("<TotalDebit>252250.75</TotalDebit>", "<TotalDebit>1.00</TotalDebit>");
    const withNumber = text.replace(
      "<RegistrationNumber>923609016</RegistrationNumber>",
      "<RegistrationNumber>974760673</RegistrationNumber>",
    );
    const run = await held("off.xml", withNumber, c2);
    expect(run.heldFor).toEqual(["FIGURES_UNRELIABLE"]);
    expect((await stores.engagementStore.getClient(c2))?.orgNumber).toBeUndefined();
    await activate({ ...c2, importId: run.importId }, { accept: ["FIGURES_UNRELIABLE"], by: "user-1" });
    expect((await stores.engagementStore.getClient(c2))?.orgNumber).toBe("974760673");
  });
});
