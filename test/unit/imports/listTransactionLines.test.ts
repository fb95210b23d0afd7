import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { activateEarlierImport } from "../../../lib/imports/activateEarlierImport.ts";
import { importFile, type ImportFileDeps } from "../../../lib/imports/importFile.ts";
import {
  TransactionLinesPageSchema,
  TransactionLinesQuerySchema,
  toTransactionLinesPageJson,
} from "../../../lib/imports/importViews.ts";
import {
  listTransactionLines,
  type TransactionLinesPage,
  type TransactionLinesQuery,
} from "../../../lib/imports/listTransactionLines.ts";
import type { ImportRef } from "../../../lib/imports/types.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";
import { importDeps, seedClientsAndEngagements, viewFailure } from "../../helpers/importHarness.ts";

/*
 * samples/demo-saft-1.30.xml has 6 transactions with 14 lines (read off the XML):
 *   1 2025-01-15  1500 +62500.00  3000 −50000.00  2700 −12500.00
 *   2 2025-02-03  1920 +62500.00  1500 −62500.00
 *   3 2025-02-20  4000 +20000.00  2710 +5000.00   2400 −25000.00
 *   4 2025-03-01  6300 +18000.00  1920 −18000.00
 *   5 2025-03-25  5000 +41250.75  1920 −41250.75
 *   6 2025-03-31  2400 +43000.00  1920 −43000.00
 * Debit lines sum to 252250.75 (the file's TotalDebit); all lines sum to 0.00.
 */
const demoPath = resolve(import.meta.dirname, "..", "..", "..", "samples", "demo-saft-1.30.xml");

const T0 = Date.parse("2025-04-01T10:00:00.000Z");
let stores: InMemoryStores;
let files: MemoryFileSource;
let deps: ImportFileDeps;
let demoXml: string;
let sequence = 0;
let v1: ImportRef;

const q1: EngagementRef = { tenantId: "t1", clientId: "c1", engagementId: "q1" };
const q4: EngagementRef = { ...q1, engagementId: "q4" };

async function upload(ref: EngagementRef, fileName: string, text: string): Promise<ImportRef> {
  const key = `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/${fileName}`;
  files.objects.set(key, new TextEncoder().encode(text));
  sequence++;
  const result = await importFile(deps, {
    bucket: "b",
    key,
    sequencer: sequence.toString(16).padStart(4, "0"),
    eventTime: new Date(T0 + sequence * 1000).toISOString(),
    trigger: { kind: "s3-event" },
  });
  if (result.outcome !== "imported") throw new Error(result.outcome);
  return { ...ref, importId: result.run.importId };
}

const list = (query: TransactionLinesQuery, ref: EngagementRef = q1, onStore = stores) =>
  listTransactionLines({ ...onStore }, ref, query);

/** Follows nextCursor to the end; returns the pages. */
async function allPages(query: Omit<TransactionLinesQuery, "cursor">): Promise<TransactionLinesPage[]> {
  const pages: TransactionLinesPage[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ ...query, ...(cursor ? { cursor } : {}) });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 100);
  return pages;
}

beforeEach(async () => {
  stores = createInMemoryStores({ now: () => new Date(T0) });
  files = new MemoryFileSource();
  deps = importDeps(stores, files, () => new Date(T0), 3600);
  demoXml = await readFile(demoPath, "utf8");
  const at = new Date(T0).toISOString();
  await seedClientsAndEngagements(stores, at, { tenants: ["t1", "t2"], engagements: ["q1", "q4"] });
  v1 = await upload(q1, "demo.xml", demoXml);
});

describe("listTransactionLines: paging", () => {
  it("pages with limit 3 through every line exactly once: 14 lines in pages of 3, 3, 3, 3, 2", async () => {
    const pages = await allPages({ limit: 3 });
    expect(pages.map((page) => page.items.length)).toEqual([3, 3, 3, 3, 2]);
    expect(pages.at(-1)!.nextCursor).toBeUndefined();
    const lines = pages.flatMap((page) => page.items);
    expect(new Set(lines.map((line) => `${line.transactionId}#${line.lineNumber}`)).size).toBe(14);
    expect(lines.map((line) => line.transactionId).join("")).toBe("11122333445566");
    expect(lines.reduce((sum, line) => sum + line.amount, 0n)).toBe(0n);
    expect(lines.filter((line) => line.amount > 0n).reduce((sum, line) => sum + line.amount, 0n)).toBe(25_225_075n);
    expect(pages.every((page) => page.importId === v1.importId)).toBe(true);
  });

  it("returns all 14 lines in one page by default (limit 100)", async () => {
    const page = await list({});
    expect(page.items).toHaveLength(14);
    expect(page.nextCursor).toBeUndefined();
  });

  it("renders each line with its transaction's fields and the amount as a decimal string", async () => {
    const json = toTransactionLinesPageJson(await list({ limit: 2 }));
    expect(TransactionLinesPageSchema.parse(json)).toEqual(json);
    expect(json.importId).toBe(v1.importId);
    expect(json.nextCursor).toEqual(expect.any(String));
    expect(json.items[0]).toEqual({
      transactionId: "1",
      lineNumber: 0,
      recordId: "1",
      journal: "GL",
      date: "2025-01-15",
      period: { year: 2025, number: 1 },
      account: "1500",
      amount: "62500.00",
      description: "Salg til Ås Bygg AS",
      transactionDescription: "Salg til Ås Bygg AS",
      currency: null,
      taxCode: null,
      customerId: null,
      supplierId: null,
      dimensions: [],
    });
    expect(json.items[1]).toMatchObject({ account: "3000", amount: "-50000.00", lineNumber: 1 });
  });
});

describe("listTransactionLines: filters", () => {
  it("filters by account", async () => {
    const lines = (await allPages({ account: "1920", limit: 1 })).flatMap((page) => page.items);
    expect(lines.map((line) => [line.transactionId, line.amount])).toEqual([
      ["2", 6_250_000n],
      ["4", -1_800_000n],
      ["5", -4_125_075n],
      ["6", -4_300_000n],
    ]);
  });

  it("filters by an inclusive voucher-date range", async () => {
    const lines = (await list({ from: "2025-02-03", to: "2025-02-20" })).items;
    expect(lines.map((line) => `${line.transactionId}:${line.account}`)).toEqual([
      "2:1920",
      "2:1500",
      "3:4000",
      "3:2710",
      "3:2400",
    ]);
  });

  it("filters by voucher", async () => {
    const lines = (await list({ voucher: "3" })).items;
    expect(lines.map((line) => line.account)).toEqual(["4000", "2710", "2400"]);
  });

  it("combines filters", async () => {
    const lines = (await allPages({ account: "1920", from: "2025-03-01", limit: 2 })).flatMap((page) => page.items);
    expect(lines.map((line) => line.transactionId)).toEqual(["4", "5", "6"]);
    expect(lines.reduce((sum, line) => sum + line.amount, 0n)).toBe(-10_225_075n);
  });
});

describe("listTransactionLines: cursors", () => {
  it("refuses a cursor issued before another version was activated (conflict), instead of mixing versions", async () => {
    const first = await list({ limit: 3 });
    const v2 = await upload(q1, "demo-again.xml", demoXml);
    const error = await viewFailure(list({ limit: 3, cursor: first.nextCursor! }));
    expect(error).toMatchObject({ code: "CURSOR_STALE", category: "conflict" });
    expect(error.message).toContain(`import "${v1.importId}"`);
    expect(error.message).toContain(`now import "${v2.importId}"`);
    // Starting again pages through the new version.
    expect((await list({ limit: 3 })).importId).toBe(v2.importId);
  });

  it("refuses a cursor of the version that was active before an earlier one was re-activated", async () => {
    const v2 = await upload(q1, "demo-again.xml", demoXml);
    const first = await list({ limit: 3 });
    expect(first.importId).toBe(v2.importId);
    await activateEarlierImport({ ...stores, retentionSeconds: 3600, now: () => new Date(T0) }, v1);
    expect(await viewFailure(list({ limit: 3, cursor: first.nextCursor! }))).toMatchObject({ code: "CURSOR_STALE" });
  });

  it("refuses a cursor used with other filters", async () => {
    const first = await list({ account: "1920", limit: 1 });
    expect(await viewFailure(list({ account: "2400", limit: 1, cursor: first.nextCursor! }))).toMatchObject({
      code: "CURSOR_INVALID",
      category: "invalid",
      message: expect.stringContaining("other filters"),
    });
  });

  it("refuses a cursor of another engagement, and text that is no cursor", async () => {
    await upload(q4, "demo.xml", demoXml);
    const elsewhere = await list({ limit: 3 }, q4);
    expect(await viewFailure(list({ limit: 3, cursor: elsewhere.nextCursor! }))).toMatchObject({
      code: "CURSOR_INVALID",
    });
    for (const cursor of ["not a cursor", "eyJ2IjoxfQ", Buffer.from("[]").toString("base64url")]) {
      expect(await viewFailure(list({ limit: 3, cursor }))).toMatchObject({ code: "CURSOR_INVALID" });
    }
  });

  it("refuses a cursor whose store position was altered", async () => {
    const first = await list({ limit: 3 });
    const decoded = JSON.parse(Buffer.from(first.nextCursor!, "base64url").toString("utf8")) as {
      p: { importId: string; position: unknown };
    };
    const alter = (position: unknown) =>
      Buffer.from(JSON.stringify({ ...decoded, p: { ...decoded.p, position } })).toString("base64url");
    for (const position of ["AAAA", { chunk: -1, offset: 0 }, { chunk: 0, offset: 0, tenantId: "other" }]) {
      expect(await viewFailure(list({ limit: 3, cursor: alter(position) }))).toMatchObject({ code: "CURSOR_INVALID" });
    }
    // Well formed, but a position the store never hands out.
    expect(await viewFailure(list({ limit: 3, cursor: alter({ chunk: 7, offset: 0 }) }))).toMatchObject({
      code: "CURSOR_INVALID",
    });
  });
});

describe("listTransactionLines: errors", () => {
  it("refuses a limit outside 1–1000 and dates that are not YYYY-MM-DD", async () => {
    for (const limit of [0, 1001, 2.5, -1]) {
      expect(await viewFailure(list({ limit }))).toMatchObject({
        code: "INVALID_TRANSACTION_QUERY",
        category: "invalid",
      });
    }
    expect((await list({ limit: 1000 })).items).toHaveLength(14);
    expect(await viewFailure(list({ from: "2025-13-01" }))).toMatchObject({ context: { field: "from" } });
    expect(await viewFailure(list({ to: "31.03.2025" }))).toMatchObject({ context: { field: "to" } });
  });

  it("refuses an engagement with no active import (conflict)", async () => {
    expect(await viewFailure(list({}, q4))).toMatchObject({ code: "NO_ACTIVE_IMPORT", category: "conflict" });
  });

  it("answers another tenant exactly as a missing engagement", async () => {
    const theirs = { ...q1, tenantId: "t2" };
    const empty = createInMemoryStores();
    await empty.engagementStore.createClient((await stores.engagementStore.getClient(theirs))!);
    await empty.engagementStore.createEngagement((await stores.engagementStore.getEngagement(theirs))!);
    expect(await viewFailure(list({}, theirs))).toEqual(await viewFailure(list({}, theirs, empty)));
    expect(await viewFailure(list({}, { ...q1, tenantId: "t3" }))).toMatchObject({
      code: "CLIENT_NOT_FOUND",
      category: "not-found",
    });
    expect(await viewFailure(list({}, { ...q1, engagementId: "nope" }))).toMatchObject({
      code: "ENGAGEMENT_NOT_FOUND",
    });
  });

  it("a cursor of one tenant is no cursor for another", async () => {
    const first = await list({ limit: 3 });
    await upload({ ...q1, tenantId: "t2" }, "demo.xml", demoXml);
    expect(await viewFailure(list({ limit: 3, cursor: first.nextCursor! }, { ...q1, tenantId: "t2" }))).toMatchObject({
      code: "CURSOR_INVALID",
    });
  });
});

describe("TransactionLinesQuerySchema", () => {
  it("reads a query string: limit coerced from text, dates checked", () => {
    expect(TransactionLinesQuerySchema.parse({ limit: "3", account: "1920", from: "2025-01-01" })).toEqual({
      limit: 3,
      account: "1920",
      from: "2025-01-01",
    });
    expect(TransactionLinesQuerySchema.safeParse({ limit: "1001" }).success).toBe(false);
    expect(TransactionLinesQuerySchema.safeParse({ limit: "0" }).success).toBe(false);
    expect(TransactionLinesQuerySchema.safeParse({ from: "2025-02-30" }).success).toBe(false);
    expect(TransactionLinesQuerySchema.safeParse({ from: "2025-03-01", to: "2025-02-01" }).success).toBe(false);
  });
});
