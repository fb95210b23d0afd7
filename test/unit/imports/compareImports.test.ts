import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { compareImports, diffTrialBalances } from "../../../lib/imports/compareImports.ts";
import { importFile, type ImportFileDeps } from "../../../lib/imports/importFile.ts";
import { ImportComparisonSchema, toImportComparisonJson } from "../../../lib/imports/importViews.ts";
import type { ImportRef } from "../../../lib/imports/types.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";
import { importDeps, viewFailure } from "../../helpers/importHarness.ts";

/*
 * Two versions of Q1 2025: samples/demo-saft-1.30.xml, and a corrected copy (edited below) where the March rent
 * (transaction 4: 6300 debit / 1920 credit) is 18500.00 instead of 18000.00, account 1950 is added with opening and
 * closing 1000.00, and 2050 opens and closes 1000.00 lower (−390310.50) to keep the balance. Worked out by hand:
 *   1920  movement −39750.75 → −40250.75, closing 442559.75 → 442059.75   difference 0.00 / −500.00 / −500.00
 *   1950  (absent) → 1000.00 / 0.00 / 1000.00                              difference 1000.00 / 0.00 / 1000.00
 *   2050  opening/closing −389310.50 → −390310.50                          difference −1000.00 / 0.00 / −1000.00
 *   6300  movement and closing 18000.00 → 18500.00                         difference 0.00 / 500.00 / 500.00
 *   the 8 other accounts are unchanged; both versions total 0.00 / 0.00 / 0.00.
 */
const demoPath = resolve(import.meta.dirname, "..", "..", "..", "samples", "demo-saft-1.30.xml");

function corrected(xml: string): string {
  const edits: [string, string][] = [
    ["<Amount>18000.00</Amount>", "<Amount>18500.00</Amount>"],
    ["<ClosingDebitBalance>18000.00</ClosingDebitBalance>", "<ClosingDebitBalance>18500.00</ClosingDebitBalance>"],
    ["<ClosingDebitBalance>442559.75</ClosingDebitBalance>", "<ClosingDebitBalance>442059.75</ClosingDebitBalance>"],
    [
      "<OpeningCreditBalance>389310.50</OpeningCreditBalance>",
      "<OpeningCreditBalance>390310.50</OpeningCreditBalance>",
    ],
    [
      "<ClosingCreditBalance>389310.50</ClosingCreditBalance>",
      "<ClosingCreditBalance>390310.50</ClosingCreditBalance>",
    ],
    ["<TotalDebit>252250.75</TotalDebit>", "<TotalDebit>252750.75</TotalDebit>"],
    ["<TotalCredit>252250.75</TotalCredit>", "<TotalCredit>252750.75</TotalCredit>"],
    [
      "<Account><AccountID>2000</AccountID>",
      "<Account><AccountID>1950</AccountID><AccountDescription>Skattetrekk</AccountDescription><AccountType>GL</AccountType>" +
        "<OpeningDebitBalance>1000.00</OpeningDebitBalance><ClosingDebitBalance>1000.00</ClosingDebitBalance></Account>" +
        "<Account><AccountID>2000</AccountID>",
    ],
  ];
  let result = xml;
  for (const [from, to] of edits) {
    const count = result.split(from).length - 1;
    if (count === 0) throw new Error(`edit target not found: ${from}`);
    result = result.replaceAll(from, to);
  }
  return result;
}

const T0 = Date.parse("2025-04-01T10:00:00.000Z");
let clock: number;
let stores: InMemoryStores;
let files: MemoryFileSource;
let deps: ImportFileDeps;
let demoXml: string;
let sequence = 0;
let v1: ImportRef;
let v2: ImportRef;

const q1: EngagementRef = { tenantId: "t1", clientId: "c1", engagementId: "q1" };

async function upload(ref: EngagementRef, fileName: string, text: string) {
  const key = `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/${fileName}`;
  files.objects.set(key, new TextEncoder().encode(text));
  sequence++;
  return importFile(deps, {
    bucket: "b",
    key,
    sequencer: sequence.toString(16).padStart(4, "0"),
    eventTime: new Date(T0 + sequence * 1000).toISOString(),
    trigger: { kind: "s3-event" },
  });
}

async function uploadOk(ref: EngagementRef, fileName: string, text: string): Promise<ImportRef> {
  const result = await upload(ref, fileName, text);
  if (result.outcome !== "imported" && result.outcome !== "failed") throw new Error(result.outcome);
  return { ...ref, importId: result.run.importId };
}

const compare = (ref: ImportRef, other: string, onStore = stores) =>
  compareImports({ ...onStore, now: () => new Date(clock) }, ref, other);

beforeEach(async () => {
  clock = T0;
  stores = createInMemoryStores({ now: () => new Date(clock) });
  files = new MemoryFileSource();
  deps = importDeps(stores, files, () => new Date(clock), 3600);
  demoXml = await readFile(demoPath, "utf8");
  const at = new Date(T0).toISOString();
  for (const tenantId of ["t1", "t2"]) {
    await stores.engagementStore.createClient({
      tenantId,
      clientId: "c1",
      name: "C1",
      accountingSystem: "other",
      createdAt: at,
      updatedAt: at,
    });
  }
  for (const engagementId of ["q1", "q4"]) {
    // Stored as is: several engagements of one period (createEngagement keeps a client's periods unique).
    await stores.engagementStore.putEngagement({
      ...q1,
      engagementId,
      kind: "period-end",
      fiscalYear: 2025,
      periodStart: "2025-01-01",
      periodEnd: "2025-03-31",
      createdAt: at,
    });
  }
  v1 = await uploadOk(q1, "demo.xml", demoXml);
  v2 = await uploadOk(q1, "demo-corrected.xml", corrected(demoXml));
});

describe("compareImports", () => {
  it("lists exactly the accounts whose figures differ, with before (the other import), after (this one) and the difference", async () => {
    const comparison = toImportComparisonJson(await compare(v2, v1.importId));
    expect(comparison.accounts).toEqual([
      {
        account: "1920",
        name: "Bankinnskudd",
        before: { opening: "482310.50", movement: "-39750.75", closing: "442559.75" },
        after: { opening: "482310.50", movement: "-40250.75", closing: "442059.75" },
        difference: { opening: "0.00", movement: "-500.00", closing: "-500.00" },
      },
      {
        account: "1950",
        name: "Skattetrekk",
        before: null,
        after: { opening: "1000.00", movement: "0.00", closing: "1000.00" },
        difference: { opening: "1000.00", movement: "0.00", closing: "1000.00" },
      },
      {
        account: "2050",
        name: "Annen egenkapital",
        before: { opening: "-389310.50", movement: "0.00", closing: "-389310.50" },
        after: { opening: "-390310.50", movement: "0.00", closing: "-390310.50" },
        difference: { opening: "-1000.00", movement: "0.00", closing: "-1000.00" },
      },
      {
        account: "6300",
        name: "Leie lokale",
        before: { opening: "0.00", movement: "18000.00", closing: "18000.00" },
        after: { opening: "0.00", movement: "18500.00", closing: "18500.00" },
        difference: { opening: "0.00", movement: "500.00", closing: "500.00" },
      },
    ]);
    expect(comparison.unchangedAccounts).toBe(8);
  });

  it("names both versions: base is the import compared, other the one it is compared with", async () => {
    const comparison = toImportComparisonJson(await compare(v2, v1.importId));
    expect(comparison.base).toMatchObject({
      importId: v2.importId,
      status: "succeeded",
      source: { fileName: "demo-corrected.xml" },
    });
    expect(comparison.other).toMatchObject({
      importId: v1.importId,
      status: "superseded",
      source: { fileName: "demo.xml" },
    });
  });

  it("reports the totals of both versions", async () => {
    const comparison = toImportComparisonJson(await compare(v2, v1.importId));
    const zero = { opening: "0.00", movement: "0.00", closing: "0.00" };
    expect(comparison.totals).toEqual({ before: zero, after: zero, difference: zero });
  });

  it("swapping the two imports swaps before and after and negates the differences", async () => {
    const forward = await compare(v2, v1.importId);
    const backward = await compare(v1, v2.importId);
    expect(backward.accounts.map((a) => [a.account, a.before, a.after])).toEqual(
      forward.accounts.map((a) => [a.account, a.after, a.before]),
    );
    expect(backward.accounts.map((a) => a.difference.closing)).toEqual(
      forward.accounts.map((a) => -a.difference.closing),
    );
  });

  it("finds no difference between a version and itself", async () => {
    const comparison = await compare(v1, v1.importId);
    expect(comparison.accounts).toEqual([]);
    expect(comparison.unchangedAccounts).toBe(11);
  });

  it("validates against ImportComparisonSchema", async () => {
    const json = toImportComparisonJson(await compare(v2, v1.importId));
    expect(ImportComparisonSchema.parse(json)).toEqual(json);
  });
});

describe("compareImports: which imports may be compared", () => {
  it("treats an import of another engagement of the same client as not found", async () => {
    const elsewhere = await uploadOk({ ...q1, engagementId: "q4" }, "demo.xml", demoXml);
    expect(await viewFailure(compare(v1, elsewhere.importId))).toMatchObject({
      code: "IMPORT_NOT_FOUND",
      category: "not-found",
      context: { importId: elsewhere.importId },
    });
  });

  it("answers another tenant exactly as a missing id", async () => {
    // Tenant t2 has its own client c1 and engagement q1 (same ids as t1's), with its own import.
    await stores.engagementStore.createEngagement({
      ...(await stores.engagementStore.getEngagement(q1))!,
      tenantId: "t2",
    });
    const theirs = await uploadOk({ ...q1, tenantId: "t2" }, "demo.xml", demoXml);
    // t2 naming t1's imports gets what it would get from a store where those ids never existed.
    const other = { ...v1, tenantId: "t2" };
    const empty = createInMemoryStores();
    await empty.engagementStore.createClient((await stores.engagementStore.getClient(other))!);
    await empty.engagementStore.createEngagement((await stores.engagementStore.getEngagement(other))!);
    expect(await viewFailure(compare(other, v2.importId))).toEqual(
      await viewFailure(compare(other, v2.importId, empty)),
    );
    // …and t1 asking for t2's import id.
    expect(await viewFailure(compare(v1, theirs.importId))).toMatchObject({ code: "IMPORT_NOT_FOUND" });
    expect(await viewFailure(compare({ ...v1, tenantId: "t3" }, v2.importId))).toMatchObject({
      code: "CLIENT_NOT_FOUND",
    });
  });

  it("refuses an import that failed (conflict), saying why", async () => {
    const failed = await uploadOk(q1, "junk.csv", "hello world\n");
    const error = await viewFailure(compare(v1, failed.importId));
    expect(error).toMatchObject({ code: "IMPORT_HAS_NO_FIGURES", category: "conflict" });
    expect(error.message).toContain("it failed");
  });

  it("refuses a superseded version past its retention, whose data may already be deleted", async () => {
    clock = T0 + 2 * 3600 * 1000;
    expect(await viewFailure(compare(v2, v1.importId))).toMatchObject({ code: "IMPORT_EXPIRED", category: "conflict" });
  });
});

describe("diffTrialBalances", () => {
  const row = (account: string, opening: bigint, movement: bigint) => ({
    account,
    name: account,
    opening,
    movement,
    closing: opening + movement,
  });

  it("orders accounts numerically and lists an account that disappeared with after = null", () => {
    const result = diffTrialBalances([row("10000", 1n, 0n), row("900", 5n, 0n)], [row("10000", 1n, 1n)]);
    expect(result.accounts.map((a) => [a.account, a.after === null])).toEqual([
      ["900", true],
      ["10000", false],
    ]);
    expect(result.accounts[0]!.difference).toEqual({ opening: -5n, movement: 0n, closing: -5n });
    expect(result.totals.difference).toEqual({ opening: -5n, movement: 1n, closing: -4n });
  });

  it("keeps unknown figures unknown: null differences and totals, equal only to unknown", () => {
    const unknown = (account: string, closing: bigint) => ({
      account,
      name: account,
      opening: null,
      movement: null,
      closing,
    });
    const result = diffTrialBalances(
      [unknown("1500", 100n), unknown("1920", -100n)],
      [unknown("1500", 100n), row("1920", -40n, -70n)],
    );
    expect(result.unchangedAccounts).toBe(1);
    expect(result.accounts).toEqual([
      {
        account: "1920",
        name: "1920",
        before: { opening: null, movement: null, closing: -100n },
        after: { opening: -40n, movement: -70n, closing: -110n },
        difference: { opening: null, movement: null, closing: -10n },
      },
    ]);
    expect(result.totals.before).toEqual({ opening: null, movement: null, closing: 0n });
    expect(result.totals.difference).toEqual({ opening: null, movement: null, closing: -10n });
  });
});
