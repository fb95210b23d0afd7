import { beforeEach, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { importFile, orderKeyOf, type ImportFileDeps, type ImportFileInput } from "../../../lib/imports/importFile.ts";
import { SourceUnavailableError } from "../../../lib/imports/errors.ts";
import { getImportReport } from "../../../lib/imports/importReports.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";
import { listAllImports } from "../../../lib/imports/listAllImports.ts";

const demoPath = resolve(import.meta.dirname, "..", "..", "..", "samples", "demo-saft-1.30.xml");

let stores: InMemoryStores;
let files: MemoryFileSource;
let deps: ImportFileDeps;
let demo: Uint8Array;
let clock: number;

const engagement = { tenantId: "t1", clientId: "c1", engagementId: "q1" };

function event(key: string, sequencer: string, eventTime = "2025-04-01T10:00:00.000Z"): ImportFileInput {
  return { bucket: "b", key, sequencer, eventTime, trigger: { kind: "s3-event" } };
}

beforeEach(async () => {
  clock = Date.parse("2025-04-01T10:00:00.000Z");
  stores = createInMemoryStores({ now: () => new Date(clock) });
  files = new MemoryFileSource();
  let id = 0;
  deps = {
    ...stores,
    files,
    retentionSeconds: 3600,
    now: () => new Date(clock),
    newImportId: () => `IMP${String(++id).padStart(4, "0")}`,
  };
  demo = new Uint8Array(await readFile(demoPath));
  const at = new Date(clock).toISOString();
  await stores.engagementStore.createClient({
    tenantId: "t1",
    clientId: "c1",
    name: "C1",
    accountingSystem: "other",
    createdAt: at,
    updatedAt: at,
  });
  await stores.engagementStore.createEngagement({
    ...engagement,
    kind: "period-end",
    fiscalYear: 2025,
    periodStart: "2025-01-01",
    periodEnd: "2025-03-31",
    createdAt: at,
  });
});

describe("importFile", () => {
  it("imports, activates and records provenance and the report", async () => {
    files.objects.set("uploads/t1/c1/q1/demo.xml", demo);
    const result = await importFile(deps, event("uploads/t1/c1/q1/demo.xml", "01"));
    expect(result.outcome).toBe("imported");
    if (result.outcome !== "imported") return;
    expect(result.activation).toEqual({ outcome: "activated", slot: "file", activeImportId: result.run.importId });
    expect(result.bytesRead).toBe(demo.length);
    expect(result.run).toMatchObject({
      status: "succeeded",
      format: "saft",
      counts: { accounts: 11, transactions: 6, lines: 14 },
    });
    expect((await stores.engagementStore.getEngagement(engagement))?.activeImportId).toBe("IMP0001");
  });

  it("keeps 'no currency' for a file that states none: no SEK, no NOK made up, in the run and its report", async () => {
    await stores.engagementStore.createEngagement({
      ...engagement,
      engagementId: "fy2024",
      kind: "year-end",
      fiscalYear: 2024,
      periodStart: "2024-01-01",
      periodEnd: "2024-12-31",
      createdAt: "2025-01-01T00:00:00Z",
    });
    const key = "uploads/t1/c1/fy2024/norsk.se";
    files.objects.set(
      key,
      new Uint8Array(
        await readFile(resolve(import.meta.dirname, "..", "..", "fixtures", "sie", "own_norwegian_no_valuta.se")),
      ),
    );
    const result = await importFile(deps, event(key, "01"));
    // Imported or held by the activation gate (client c1 has no organisation number): the run keeps the header.
    if (result.outcome !== "imported" && result.outcome !== "held")
      throw new Error(`expected an import, got ${result.outcome}`);
    expect(result.run.header).toEqual({
      company: { orgNumber: "923609016", name: "Fjellbekk Snekkeri AS" },
      period: { start: "2024-01-01", end: "2024-12-31" },
      software: { name: "saldo testdata", version: "1.0" },
    });
    expect(result.run.issues).toContainEqual(
      expect.objectContaining({ code: "CURRENCY_NOT_STATED", severity: "info" }),
    );
    // A file that states no currency is no currency mismatch for the activation gate (the client is NOK).
    expect(result.run.heldFor ?? []).not.toContain("CURRENCY_MISMATCH");
    expect(result.run.issues).not.toContainEqual(expect.objectContaining({ code: "CURRENCY_MISMATCH" }));
    const report = await getImportReport(stores, {
      ...engagement,
      engagementId: "fy2024",
      importId: result.run.importId,
    });
    expect(report.header).toMatchObject({ company: { orgNumber: "923609016" }, currency: null });
  });

  it("notes when the file's period fits the engagement but is not exactly its period", async () => {
    await stores.engagementStore.createEngagement({
      ...engagement,
      engagementId: "fy",
      kind: "year-end",
      fiscalYear: 2025,
      periodStart: "2025-01-01",
      periodEnd: "2025-12-31",
      createdAt: "2025-01-01T00:00:00Z",
    });
    files.objects.set("uploads/t1/c1/fy/demo.xml", demo);
    const result = await importFile(deps, event("uploads/t1/c1/fy/demo.xml", "01"));
    expect(result.outcome === "imported" && result.run.status).toBe("succeeded");
    expect(result.outcome === "imported" && result.run.issues).toContainEqual(
      expect.objectContaining({ code: "ENGAGEMENT_PERIOD_DIFFERS", severity: "info" }),
    );
  });

  it("a failed file leaves the active version in place and records why", async () => {
    files.objects.set("uploads/t1/c1/q1/demo.xml", demo);
    await importFile(deps, event("uploads/t1/c1/q1/demo.xml", "01"));
    files.objects.set("uploads/t1/c1/q1/junk.csv", new TextEncoder().encode("hello world\n"));
    const result = await importFile(deps, event("uploads/t1/c1/q1/junk.csv", "02", "2025-04-01T11:00:00.000Z"));
    expect(result.outcome).toBe("failed");
    expect(result.outcome === "failed" && result.run.failure?.message).toMatch(/^junk\.csv/);
    expect((await stores.engagementStore.getEngagement(engagement))?.activeImportId).toBe("IMP0001");
  });

  it("an object deleted before its event was handled is a failed import, not a retry loop", async () => {
    const result = await importFile(deps, event("uploads/t1/c1/q1/gone.xml", "01"));
    expect(result.outcome === "failed" && result.run.failure?.code).toBe("SOURCE_FILE_MISSING");
  });

  it("an unexpected failure releases the claim and rethrows, so the retry imports the file", async () => {
    files.objects.set("uploads/t1/c1/q1/demo.xml", demo);
    files.failNext = new SourceUnavailableError("S3 timed out");
    await expect(importFile(deps, event("uploads/t1/c1/q1/demo.xml", "01"))).rejects.toThrow("S3 timed out");
    expect((await listAllImports(stores.importStore, engagement))[0]).toMatchObject({
      status: "queued",
      failure: { code: "SOURCE_UNAVAILABLE" },
    });
    const retry = await importFile(deps, event("uploads/t1/c1/q1/demo.xml", "01"));
    expect(retry.outcome).toBe("imported");
    expect(await listAllImports(stores.importStore, engagement)).toHaveLength(1);
  });

  it("a duplicate delivery is recognised and changes nothing", async () => {
    files.objects.set("uploads/t1/c1/q1/demo.xml", demo);
    await importFile(deps, event("uploads/t1/c1/q1/demo.xml", "01"));
    const again = await importFile(deps, event("uploads/t1/c1/q1/demo.xml", "01"));
    expect(again.outcome).toBe("duplicate");
    expect(await listAllImports(stores.importStore, engagement)).toHaveLength(1);
  });

  it("an older upload handled after a newer one ends superseded", async () => {
    files.objects.set("uploads/t1/c1/q1/a.xml", demo);
    files.objects.set("uploads/t1/c1/q1/b.xml", demo);
    await importFile(deps, event("uploads/t1/c1/q1/b.xml", "02", "2025-04-01T10:00:01.000Z"));
    const older = await importFile(deps, event("uploads/t1/c1/q1/a.xml", "01", "2025-04-01T10:00:00.000Z"));
    expect(older.outcome === "imported" && older.run.status).toBe("superseded");
    expect((await stores.engagementStore.getEngagement(engagement))?.activeImportId).toBe("IMP0001");
  });

  it("rejects unknown clients and engagements and malformed keys, keeping the object; ignores saldo's own copies", async () => {
    expect(await importFile(deps, event("uploads/t1/nobody/q1/x.xml", "01"))).toMatchObject({
      outcome: "rejected",
      reason: 'unknown client "nobody"',
    });
    expect(await importFile(deps, event("uploads/t1/c1/q9/x.xml", "01"))).toMatchObject({
      outcome: "rejected",
      keptAt: "rejected/t1/c1/q9/x.xml",
    });
    expect(await importFile(deps, event("elsewhere/x.xml", "01"))).toMatchObject({
      outcome: "rejected",
      reason: expect.stringContaining("uploads/"),
    });
    expect(await importFile(deps, event("rejected/t1/c1/q9/x.xml", "01"))).toMatchObject({ outcome: "ignored" });
    expect((await stores.importStore.listRejectedUploads("t1")).map((r) => r.key).sort()).toEqual([
      "uploads/t1/c1/q9/x.xml",
      "uploads/t1/nobody/q1/x.xml",
    ]);
  });
});

describe("orderKeyOf", () => {
  it("orders by upload time, then by sequencer compared at equal length", () => {
    expect(orderKeyOf("2025-01-01T00:00:00Z", "0A") < orderKeyOf("2025-01-01T00:00:00Z", "0B")).toBe(true);
    expect(orderKeyOf("2025-01-01T00:00:00Z", "FF") < orderKeyOf("2025-01-01T00:00:00Z", "100")).toBe(true);
    expect(orderKeyOf("2025-01-01T00:00:00Z", "FFFF") < orderKeyOf("2025-01-01T00:00:01Z", "00")).toBe(true);
  });
});
