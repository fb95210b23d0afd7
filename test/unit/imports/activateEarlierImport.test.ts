import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import { activateEarlierImport } from "../../../lib/imports/activateEarlierImport.ts";
import { importFile, type ImportFileDeps } from "../../../lib/imports/importFile.ts";
import { ImportActivationSchema, toActivationJson } from "../../../lib/imports/importViews.ts";
import { getTrialBalanceView } from "../../../lib/imports/trialBalanceView.ts";
import type { ImportRef, ImportRun } from "../../../lib/imports/types.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";
import { importDeps, seedClientsAndEngagements, viewFailure } from "../../helpers/importHarness.ts";
import { lease } from "../store/storeFixtures.ts";

/*
 * Versions of Q1 2025 (samples/demo-saft-1.30.xml): v1 the demo as shipped, v2 a later upload of the same file with
 * account 1920's closing balance changed to 442000.00 (a CLOSING_MISMATCH the file states: 1920 reads 442000.00 in
 * v2's trial balance instead of 442559.75), so which version is active can be seen in the figures.
 */
const demoPath = resolve(import.meta.dirname, "..", "..", "..", "samples", "demo-saft-1.30.xml");

const T0 = Date.parse("2025-04-01T10:00:00.000Z");
const RETENTION = 3600;
let clock: number;
let stores: InMemoryStores;
let files: MemoryFileSource;
let deps: ImportFileDeps;
let demoXml: string;
let v1: ImportRef;
let v2: ImportRef;

const q1: EngagementRef = { tenantId: "t1", clientId: "c1", engagementId: "q1" };

/** Imports `text` as an upload made `secondsAfterT0` after T0 (which orders the versions). */
async function upload(fileName: string, text: string, secondsAfterT0: number, ref: EngagementRef = q1) {
  const key = `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/${fileName}`;
  files.objects.set(key, new TextEncoder().encode(text));
  const result = await importFile(deps, {
    bucket: "b",
    key,
    sequencer: secondsAfterT0.toString(16).padStart(4, "0"),
    eventTime: new Date(T0 + secondsAfterT0 * 1000).toISOString(),
    trigger: { kind: "s3-event" },
  });
  if (result.outcome !== "imported" && result.outcome !== "failed") throw new Error(result.outcome);
  return { ref: { ...ref, importId: result.run.importId }, run: result.run };
}

const activate = (ref: ImportRef, onStore = stores) =>
  activateEarlierImport({ ...onStore, retentionSeconds: RETENTION, now: () => new Date(clock) }, ref);

async function closing1920(): Promise<bigint | undefined> {
  const view = await getTrialBalanceView(stores, q1);
  return view.summary.rows.find((row) => row.account === "1920")?.closing;
}

beforeEach(async () => {
  clock = T0;
  stores = createInMemoryStores({ now: () => new Date(clock) });
  files = new MemoryFileSource();
  deps = importDeps(stores, files, () => new Date(clock), RETENTION);
  demoXml = await readFile(demoPath, "utf8");
  const at = new Date(T0).toISOString();
  await seedClientsAndEngagements(stores, at, { tenants: ["t1", "t2"], engagements: ["q1", "q4"] });
  v1 = (await upload("demo.xml", demoXml, 10)).ref;
  const edited = demoXml.replace(
    "<ClosingDebitBalance>442559.75</ClosingDebitBalance>",
    "<ClosingDebitBalance>442000.00</ClosingDebitBalance>",
  );
  v2 = (await upload("demo-v2.xml", edited, 20)).ref;
});

describe("activateEarlierImport", () => {
  it("makes a superseded version active again, and its figures are what readers see", async () => {
    expect(await closing1920()).toBe(44_200_000n);
    const outcome = await activate(v1);
    expect(outcome).toMatchObject({
      import: { importId: v1.importId, status: "succeeded" },
      previousImportId: v2.importId,
      changed: true,
    });
    expect((await stores.engagementStore.getEngagement(q1))?.activeImportId).toBe(v1.importId);
    expect(await closing1920()).toBe(44_255_975n);
  });

  it("supersedes the version that was active and starts its retention", async () => {
    clock = T0 + 60_000;
    await activate(v1);
    const previous = await stores.importStore.getImport(v2);
    expect(previous).toMatchObject({ status: "superseded", expiresAt: Math.floor(clock / 1000) + RETENTION });
    expect((await stores.importStore.getImport(v1))?.expiresAt).toBeUndefined();
  });

  it("changes nothing when the version already is the active one", async () => {
    const outcome = await activate(v2);
    expect(outcome).toMatchObject({ import: { importId: v2.importId }, changed: false });
    expect(outcome.previousImportId).toBeUndefined();
    expect((await stores.importStore.getImport(v1))?.status).toBe("superseded");
  });

  it("keeps the choice against a late delivery of an upload made before the version it replaced", async () => {
    await activate(v1);
    const late = await upload("late.xml", demoXml, 15);
    expect(late.run.status).toBe("superseded");
    expect((await stores.engagementStore.getEngagement(q1))?.activeImportId).toBe(v1.importId);
  });

  it("lets a file uploaded afterwards become active as usual", async () => {
    await activate(v1);
    const next = await upload("next.xml", demoXml, 30);
    expect((await stores.engagementStore.getEngagement(q1))?.activeImportId).toBe(next.ref.importId);
  });

  it("renders as ImportActivationSchema", async () => {
    const json = toActivationJson(await activate(v1));
    expect(ImportActivationSchema.parse(json)).toEqual(json);
    expect(json).toMatchObject({
      previousImportId: v2.importId,
      changed: true,
      import: { source: { fileName: "demo.xml" } },
    });
  });
});

describe("activateEarlierImport: versions that cannot be activated", () => {
  it("refuses a failed import with a conflict that says why", async () => {
    const failed = await upload("junk.csv", "hello world\n", 30);
    const error = await viewFailure(activate(failed.ref));
    expect(error).toMatchObject({ code: "IMPORT_NOT_ACTIVATABLE", category: "conflict" });
    expect(error.message).toMatch(/cannot be made active: it failed \(\w+: junk\.csv/);
    expect((await stores.engagementStore.getEngagement(q1))?.activeImportId).toBe(v2.importId);
  });

  it("refuses an import that is still running, or queued for a retry", async () => {
    const running: ImportRun = {
      ...q1,
      importId: "IMP-RUNNING",
      status: "running",
      source: { type: "file", bucket: "b", key: "uploads/t1/c1/q1/big.xml", fileName: "big.xml" },
      sourceId: "s3:big",
      orderKey: "9999",
      trigger: { kind: "s3-event" },
      createdAt: new Date(T0).toISOString(),
    };
    await stores.importStore.claimImport(running, lease(new Date(T0 + 900_000).toISOString()));
    expect(await viewFailure(activate({ ...q1, importId: "IMP-RUNNING" }))).toMatchObject({
      code: "IMPORT_NOT_ACTIVATABLE",
      message: expect.stringContaining("still running"),
    });
    await stores.importStore.releaseImport(running, { code: "STORE_UNAVAILABLE", message: "throttled" });
    expect(await viewFailure(activate({ ...q1, importId: "IMP-RUNNING" }))).toMatchObject({
      code: "IMPORT_NOT_ACTIVATABLE",
      message: expect.stringContaining("queued for a retry"),
    });
  });

  it("refuses a superseded version past its retention", async () => {
    clock = T0 + (RETENTION + 1) * 1000;
    expect(await viewFailure(activate(v1))).toMatchObject({ code: "IMPORT_EXPIRED", category: "conflict" });
    expect((await stores.engagementStore.getEngagement(q1))?.activeImportId).toBe(v2.importId);
  });

  it("treats an import of another engagement as not found", async () => {
    const elsewhere = await upload("demo.xml", demoXml, 30, { ...q1, engagementId: "q4" });
    expect(await viewFailure(activate({ ...elsewhere.ref, engagementId: "q1" }))).toMatchObject({
      code: "IMPORT_NOT_FOUND",
      category: "not-found",
    });
  });

  it("answers another tenant exactly as a missing id, and changes nothing", async () => {
    const asOtherTenant = { ...v1, tenantId: "t2" };
    const empty = createInMemoryStores();
    await empty.engagementStore.createClient((await stores.engagementStore.getClient(asOtherTenant))!);
    await empty.engagementStore.createEngagement((await stores.engagementStore.getEngagement(asOtherTenant))!);
    expect(await viewFailure(activate(asOtherTenant))).toEqual(await viewFailure(activate(asOtherTenant, empty)));
    expect(await viewFailure(activate(asOtherTenant))).toMatchObject({ code: "IMPORT_NOT_FOUND" });
    expect(await viewFailure(activate({ ...v1, tenantId: "t3" }))).toMatchObject({ code: "CLIENT_NOT_FOUND" });
    expect((await stores.engagementStore.getEngagement(q1))?.activeImportId).toBe(v2.importId);
  });
});
