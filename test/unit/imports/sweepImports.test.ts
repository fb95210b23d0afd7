import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SourceUnavailableError } from "../../../lib/imports/errors.ts";
import { importFile, type ImportFileDeps, type ImportFileInput } from "../../../lib/imports/importFile.ts";
import type { FileSource, OpenedFile } from "../../../lib/imports/ports.ts";
import { sweepImports, type SweepImportsDeps, type UploadRedelivery } from "../../../lib/imports/sweepImports.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { seedClientsAndEngagements } from "../../helpers/importHarness.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";
import { listAllImports } from "../../../lib/imports/listAllImports.ts";

const demoPath = resolve(import.meta.dirname, "..", "..", "..", "samples", "demo-saft-1.30.xml");
const engagement = { tenantId: "t1", clientId: "c1", engagementId: "q1" };
const key = "uploads/t1/c1/q1/demo.xml";
const RETENTION = 3600;

let clock: number;
let stores: InMemoryStores;
let files: MemoryFileSource;
let redelivered: UploadRedelivery[];
let ids: number;

const now = () => new Date(clock);
const importDeps = (overrides: Partial<ImportFileDeps> = {}): ImportFileDeps => ({
  ...stores,
  files,
  retentionSeconds: RETENTION,
  now,
  leaseSeconds: 120,
  newImportId: () => `IMP${String(++ids).padStart(4, "0")}`,
  ...overrides,
});
const sweepDeps = (overrides: Partial<SweepImportsDeps> = {}): SweepImportsDeps => ({
  ...stores,
  redelivery: { redeliver: async (upload) => void redelivered.push(upload) },
  retentionSeconds: RETENTION,
  now,
  ...overrides,
});
const event: ImportFileInput = {
  bucket: "b",
  key,
  sequencer: "0A",
  etag: "e1",
  size: 9140,
  eventTime: "2025-04-01T09:59:00.000Z",
  trigger: { kind: "s3-event" },
};
/** What the ingest handler makes of a re-delivered event. */
const inputOf = (upload: UploadRedelivery): ImportFileInput => ({ ...upload, trigger: { kind: "s3-event" } });

/** A source whose reads never finish: an attempt using it is as good as a killed process. */
const frozenSource: FileSource = {
  async open(): Promise<OpenedFile> {
    async function* body(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode("<?xml");
      await new Promise(() => {});
    }
    return { body: body() };
  },
  async keepRejected() {
    return "rejected/x";
  },
};

/** Starts an attempt that dies: it claims the import and then never beats nor finishes. */
async function dyingAttempt(): Promise<void> {
  void importFile(importDeps({ files: frozenSource, heartbeatSeconds: 3600 }), event);
  for (let tries = 0; tries < 1000 && (await listAllImports(stores.importStore, engagement)).length === 0; tries++) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 5));
  }
}

const onlyImport = async () => {
  const imports = await listAllImports(stores.importStore, engagement);
  expect(imports).toHaveLength(1);
  return imports[0]!;
};

beforeEach(async () => {
  clock = Date.parse("2025-04-01T10:00:00.000Z");
  stores = createInMemoryStores({ now });
  files = new MemoryFileSource();
  files.objects.set(key, new Uint8Array(await readFile(demoPath)));
  redelivered = [];
  ids = 0;
  await seedClientsAndEngagements(stores, "2025-01-01T00:00:00.000Z", { tenants: ["t1"], engagements: ["q1"] });
});

describe("sweepImports", () => {
  it("leaves a running import with a live lease alone", async () => {
    await dyingAttempt();
    clock += 119_000;
    expect(await sweepImports(sweepDeps())).toMatchObject({ requeued: [], failed: [], expiryFinished: [] });
    expect(await onlyImport()).toMatchObject({ status: "running" });
  });

  it("re-queues a killed attempt and re-delivers its event, which imports the file under the same id", async () => {
    await dyingAttempt();
    clock += 121_000;
    const report = await sweepImports(sweepDeps());
    expect(report.requeued).toEqual(["IMP0001"]);
    expect(await onlyImport()).toMatchObject({ status: "queued", attempts: 1 });
    expect(redelivered).toEqual([
      { bucket: "b", key, etag: "e1", size: 9140, sequencer: "0A", eventTime: "2025-04-01T09:59:00.000Z" },
    ]);

    const retry = await importFile(importDeps(), inputOf(redelivered[0]!));
    expect(retry).toMatchObject({
      outcome: "imported",
      run: { importId: "IMP0001", status: "succeeded", attempts: 2 },
    });
    expect((await stores.engagementStore.getEngagement(engagement))?.activeImportId).toBe("IMP0001");
    expect(await sweepImports(sweepDeps())).toMatchObject({ requeued: [], failed: [] });
  });

  it("fails an import whose every attempt died with IMPORT_ATTEMPT_DIED, and its data expires", async () => {
    await dyingAttempt();
    for (let attempt = 2; attempt <= 3; attempt++) {
      clock += 121_000;
      expect((await sweepImports(sweepDeps())).requeued).toEqual(["IMP0001"]);
      // The re-delivered event's attempt dies too.
      void importFile(importDeps({ files: frozenSource, heartbeatSeconds: 3600 }), inputOf(redelivered.at(-1)!));
      // Until it has claimed (a sleep of 20 ms was a guess at how long that takes on a loaded machine).
      await vi.waitFor(async () => expect((await onlyImport()).attempts).toBe(attempt), {
        timeout: 60_000,
        interval: 5,
      });
      expect(await onlyImport()).toMatchObject({ status: "running", attempts: attempt });
    }
    clock += 121_000;
    const report = await sweepImports(sweepDeps());
    expect(report).toMatchObject({ requeued: [], failed: ["IMP0001"] });
    const failed = await onlyImport();
    expect(failed).toMatchObject({
      status: "failed",
      attempts: 3,
      failure: { code: "IMPORT_ATTEMPT_DIED", message: expect.stringContaining("3 of at most 3") },
      expiresAt: Math.floor(clock / 1000) + RETENTION,
    });
    expect(stores.importStore.dataExpiries("IMP0001")).toEqual([Math.floor(clock / 1000) + RETENTION]);
    // A late delivery finds it finished; nothing is due any more.
    expect(await importFile(importDeps(), event)).toMatchObject({ outcome: "duplicate", run: { status: "failed" } });
    expect(await stores.importStore.listDueImports(new Date(clock + 86_400_000).toISOString(), 10)).toEqual([]);
  });

  it("fails a released import no retry could import with IMPORT_RETRIES_EXHAUSTED, quoting the last failure", async () => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      files.failNext = new SourceUnavailableError("S3 timed out");
      await expect(importFile(importDeps(), event)).rejects.toThrow("S3 timed out");
    }
    expect(await onlyImport()).toMatchObject({ status: "queued", attempts: 3 });
    // Lambda's retries are used up (the event is in the dead-letter queue); the sweeper ends it after the grace.
    clock += 599_000;
    expect((await sweepImports(sweepDeps())).failed).toEqual([]);
    clock += 2_000;
    expect((await sweepImports(sweepDeps())).failed).toEqual(["IMP0001"]);
    expect(await onlyImport()).toMatchObject({
      status: "failed",
      failure: {
        code: "IMPORT_RETRIES_EXHAUSTED",
        message: expect.stringContaining("SOURCE_UNAVAILABLE: S3 timed out"),
      },
    });
    expect(redelivered).toEqual([]);
  });

  it("re-delivers a released import whose retries stopped early, and stops after as many re-deliveries", async () => {
    files.failNext = new SourceUnavailableError("S3 timed out");
    await expect(importFile(importDeps(), event)).rejects.toThrow();
    for (let round = 1; round <= 3; round++) {
      clock += 601_000;
      expect((await sweepImports(sweepDeps())).requeued).toEqual(["IMP0001"]);
    }
    // The re-delivered events never arrived (say, the ingest function was gone): no endless loop.
    clock += 601_000;
    expect((await sweepImports(sweepDeps())).failed).toEqual(["IMP0001"]);
    expect(redelivered).toHaveLength(3);
  });

  it("keeps going when a re-delivery fails: the import is due again after the grace period", async () => {
    await dyingAttempt();
    clock += 121_000;
    const failing = sweepDeps({
      redelivery: {
        redeliver: async () => {
          throw new Error("Lambda Invoke throttled");
        },
      },
    });
    const report = await sweepImports(failing);
    expect(report.errors).toEqual([{ importId: "IMP0001", message: "Lambda Invoke throttled" }]);
    expect(await onlyImport()).toMatchObject({ status: "queued" });
    clock += 601_000;
    expect((await sweepImports(sweepDeps())).requeued).toEqual(["IMP0001"]);
    expect(redelivered).toHaveLength(1);
  });

  it("finishes the data expiry of a failed import whose marking was left unfinished", async () => {
    const failedRun = {
      ...engagement,
      importId: "IMP0009",
      status: "running" as const,
      source: { type: "file" as const, bucket: "b", key, fileName: "demo.xml" },
      sourceId: "s3:b/x##1",
      orderKey: "2025-04-01T09:00:00.000Z#01",
      trigger: { kind: "s3-event" as const },
      createdAt: "2025-04-01T09:00:00.000Z",
    };
    await stores.importStore.claimImport(failedRun, { owner: "a", until: "2025-04-01T10:02:00.000Z" });
    const writer = stores.importStore.openImportWriter(failedRun);
    await writer.finish([]);
    const expiresAt = Math.floor(clock / 1000) + RETENTION;
    await stores.importStore.saveImport(
      { ...failedRun, status: "failed", failure: { code: "X", message: "x" }, expiresAt },
      { owner: "a", dataExpiryPending: true },
    );
    expect(stores.importStore.dataExpiries("IMP0009")).toEqual([undefined]);
    clock += 16 * 60_000;
    expect((await sweepImports(sweepDeps())).expiryFinished).toEqual(["IMP0009"]);
    expect(stores.importStore.dataExpiries("IMP0009")).toEqual([expiresAt]);
  });
});
