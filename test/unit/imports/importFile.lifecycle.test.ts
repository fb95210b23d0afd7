import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { SourceUnavailableError } from "../../../lib/imports/errors.ts";
import {
  getImportReport,
  ImportListSchema,
  ImportReportSchema,
  listImportSummaries,
} from "../../../lib/imports/importReports.ts";
import { importFile, type ImportFileDeps, type ImportFileInput } from "../../../lib/imports/importFile.ts";
import type { FileSource, ImportStore, OpenedFile } from "../../../lib/imports/ports.ts";
import { createInMemoryStores, type InMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import { StoreItemTooLargeError, StoreUnavailableError } from "../../../lib/store/errors.ts";
import { faultyStore } from "../../helpers/faultyStore.ts";
import { seedClientsAndEngagements } from "../../helpers/importHarness.ts";
import { MemoryFileSource } from "../../helpers/memoryFileSource.ts";
import { listAllImports } from "../../../lib/imports/listAllImports.ts";

const demoPath = resolve(import.meta.dirname, "..", "..", "..", "samples", "demo-saft-1.30.xml");
const engagement = { tenantId: "t1", clientId: "c1", engagementId: "q1" };
const key = "uploads/t1/c1/q1/demo.xml";

let stores: InMemoryStores;
let files: MemoryFileSource;
let demo: Uint8Array;
let ids: number;

function deps(overrides: Partial<ImportFileDeps> = {}): ImportFileDeps {
  return {
    ...stores,
    files,
    retentionSeconds: 3600,
    newImportId: () => `IMP${String(++ids).padStart(4, "0")}`,
    ...overrides,
  };
}

function event(sequencer = "01", objectKey = key): ImportFileInput {
  return {
    bucket: "b",
    key: objectKey,
    sequencer,
    eventTime: "2025-04-01T10:00:00.000Z",
    trigger: { kind: "s3-event" },
  };
}

const onlyImport = async () => {
  const imports = await listAllImports(stores.importStore, engagement);
  expect(imports).toHaveLength(1);
  // The whole run, with its report and header (a listing reads only the summary).
  return (await stores.importStore.getImport({ ...engagement, importId: imports[0]!.importId }))!;
};

beforeEach(async () => {
  stores = createInMemoryStores();
  files = new MemoryFileSource();
  ids = 0;
  demo = new Uint8Array(await readFile(demoPath));
  files.objects.set(key, demo);
  await seedClientsAndEngagements(stores, "2025-01-01T00:00:00.000Z", { tenants: ["t1"], engagements: ["q1"] });
});

describe("importFile: every path out ends the run or releases it", () => {
  it("a failed final save releases the run and rethrows; the retry imports and activates it", async () => {
    const faulty = faultyStore(stores.importStore, {
      saveImport: (call) => (call === 1 ? new StoreUnavailableError("DynamoDB UpdateItem is unavailable") : undefined),
    });
    await expect(importFile(deps({ importStore: faulty.store }), event())).rejects.toThrow("UpdateItem is unavailable");
    expect(await onlyImport()).toMatchObject({ status: "queued", failure: { code: "STORE_UNAVAILABLE" } });

    const retry = await importFile(deps({ importStore: faulty.store }), event());
    expect(retry).toMatchObject({
      outcome: "imported",
      run: { importId: "IMP0001", status: "succeeded", attempts: 2 },
    });
    expect((await stores.engagementStore.getEngagement(engagement))?.activeImportId).toBe("IMP0001");
  });

  it("never shows a succeeded import that is not active: it stays running until the activation's own write", async () => {
    const seen: string[] = [];
    const watching: ImportStore = new Proxy(stores.importStore, {
      get(target, property, receiver) {
        if (property !== "activateImport")
          return (Reflect.get(target, property, receiver) as () => unknown).bind(target);
        return async (...args: Parameters<ImportStore["activateImport"]>) => {
          seen.push((await target.getImport(args[0]))!.status);
          return target.activateImport(...args);
        };
      },
    });
    expect(await importFile(deps({ importStore: watching }), event())).toMatchObject({ outcome: "imported" });
    expect(seen).toEqual(["running"]);
    expect(await onlyImport()).toMatchObject({ status: "succeeded", counts: { lines: 14 } });
    expect(await stores.importStore.listDueImports("2099-01-01T00:00:00.000Z", 10)).toEqual([]);
  });

  it("a failed activation releases the run and rethrows; the retry activates it", async () => {
    const faulty = faultyStore(stores.importStore, {
      activateImport: (call) =>
        call === 1 ? new StoreUnavailableError("TransactWriteItems kept conflicting") : undefined,
    });
    await expect(importFile(deps({ importStore: faulty.store }), event())).rejects.toThrow("kept conflicting");
    expect(await onlyImport()).toMatchObject({ status: "queued", failure: { code: "STORE_UNAVAILABLE" } });
    expect((await stores.engagementStore.getEngagement(engagement))?.activeImportId).toBeUndefined();

    expect(await importFile(deps({ importStore: faulty.store }), event())).toMatchObject({ outcome: "imported" });
    expect((await stores.engagementStore.getEngagement(engagement))?.activeImportId).toBe("IMP0001");
  });

  it("an item too large to store fails the import with IMPORT_ITEM_TOO_LARGE instead of a retry", async () => {
    const faulty = faultyStore(stores.importStore, {
      saveImport: (call) =>
        call === 1 ? new StoreItemTooLargeError("The item T#t1… / IMPORT#IMP0001 is 460 000 bytes") : undefined,
    });
    const result = await importFile(deps({ importStore: faulty.store }), event());
    expect(result).toMatchObject({
      outcome: "failed",
      run: { status: "failed", failure: { code: "IMPORT_ITEM_TOO_LARGE", message: expect.stringContaining("400 KB") } },
    });
    expect(await onlyImport()).toMatchObject({ status: "failed", failure: { code: "IMPORT_ITEM_TOO_LARGE" } });
    // A duplicate delivery finds it finished, not stuck.
    expect(await importFile(deps(), event())).toMatchObject({ outcome: "duplicate", run: { status: "failed" } });
  });

  it("when even the release fails, the error still reaches the caller and the expired lease lets a retry in", async () => {
    let clock = Date.parse("2025-04-01T10:00:00.000Z");
    stores = createInMemoryStores({ now: () => new Date(clock) });
    await seedClientsAndEngagements(stores, "2025-01-01T00:00:00.000Z", { tenants: ["t1"], engagements: ["q1"] });
    const faulty = faultyStore(stores.importStore, {
      saveImport: (call) => (call === 1 ? new StoreUnavailableError("down") : undefined),
      releaseImport: () => new StoreUnavailableError("still down"),
    });
    const at = { now: () => new Date(clock), leaseSeconds: 60 };
    await expect(importFile(deps({ importStore: faulty.store, ...at }), event())).rejects.toThrow("down");
    expect(await onlyImport()).toMatchObject({ status: "running" });
    expect(await importFile(deps({ importStore: faulty.store, ...at }), event())).toMatchObject({
      outcome: "duplicate",
    });
    clock += 61_000;
    expect(await importFile(deps({ importStore: faulty.store, ...at }), event())).toMatchObject({
      outcome: "imported",
      run: { importId: "IMP0001", attempts: 2 },
    });
  });

  it("an unexpected failure while reading releases the run with a retry deadline for the sweeper", async () => {
    const at = new Date("2025-04-01T10:00:00.000Z");
    files.failNext = new SourceUnavailableError("S3 timed out");
    await expect(importFile(deps({ now: () => at, retryGraceSeconds: 600 }), event())).rejects.toThrow("S3 timed out");
    expect(await stores.importStore.listDueImports("2025-04-01T10:09:59.000Z", 10)).toEqual([]);
    expect(await stores.importStore.listDueImports("2025-04-01T10:10:01.000Z", 10)).toMatchObject([
      { kind: "attempt", run: { importId: "IMP0001", status: "queued" } },
    ]);
  });
});

/** A file source that serves the first `before` bytes, then waits until `release()` before serving the rest. */
function gatedSource(bytes: Uint8Array, before: number): FileSource & { release(): void } {
  let release!: () => void;
  const gate = new Promise<void>((resolveGate) => (release = resolveGate));
  return {
    release: () => release(),
    async open(): Promise<OpenedFile> {
      async function* body(): AsyncGenerator<Uint8Array> {
        yield bytes.subarray(0, before);
        await gate;
        yield bytes.subarray(before);
      }
      return { body: body(), size: bytes.length };
    },
    async keepRejected() {
      return "rejected/x";
    },
  };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let tries = 0; tries < 2_000; tries++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolveWait) => setTimeout(resolveWait, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("importFile: heartbeat, progress and leases", () => {
  it("shows bytes read of the size and lines so far while it runs", async () => {
    const source = gatedSource(demo, 6_000);
    const running = importFile(deps({ files: source, heartbeatSeconds: 0.02 }), event());
    const run = await until(async () => {
      const [current] = await listAllImports(stores.importStore, engagement);
      return current?.progress?.bytesRead === 6_000 ? current : undefined;
    }, "progress of the first 6 000 bytes");
    expect(run).toMatchObject({ status: "running", progress: { bytesRead: 6_000, size: demo.length } });
    expect(run.progress!.lines).toBeGreaterThan(0);
    expect(Date.parse(run.progress!.updatedAt)).not.toBeNaN();
    // GET …/imports/{id} and `saldo imports --json` show it.
    const report = ImportReportSchema.parse(await getImportReport(stores, { ...engagement, importId: run.importId }));
    expect(report).toMatchObject({ status: "running", attempts: 1, progress: { bytesRead: 6_000, size: demo.length } });
    const [listed] = ImportListSchema.parse(await listImportSummaries(stores, engagement)).items;
    expect(listed!.progress).toEqual(report.progress);
    source.release();
    expect(await running).toMatchObject({ outcome: "imported", run: { status: "succeeded" } });
    expect((await onlyImport()).progress).toBeUndefined();
    const done = await getImportReport(stores, { ...engagement, importId: "IMP0001" });
    expect(done).toMatchObject({ status: "succeeded", progress: null });
  });

  it("keeps renewing its lease, so a long import is not taken over by a second delivery", async () => {
    const source = gatedSource(demo, 1_000);
    const startedAt = Date.now();
    const leaseSeconds = 1;
    const running = importFile(deps({ files: source, heartbeatSeconds: 0.05, leaseSeconds }), event());
    // Wait (on the clock, not a budget) until the first lease has run out twice over…
    await until(
      async () => (Date.now() - startedAt > 2_000 * leaseSeconds ? true : undefined),
      "the first lease to end",
    );
    // …yet a second delivery of the same event still finds it held.
    expect(await importFile(deps({ files: source }), event())).toMatchObject({
      outcome: "duplicate",
      run: { status: "running" },
    });
    source.release();
    expect(await running).toMatchObject({ outcome: "imported", run: { attempts: 1 } });
  });

  it("an attempt that lost its lease stops without overwriting the attempt that took over", async () => {
    const slow = gatedSource(demo, 1_000);
    // No heartbeat before the end (an attempt paused for longer than its lease).
    const first = importFile(deps({ files: slow, heartbeatSeconds: 3600, leaseSeconds: 0.05 }), event());
    await until(
      async () => ((await listAllImports(stores.importStore, engagement))[0]?.status === "running" ? true : undefined),
      "the first attempt",
    );
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    const second = await importFile(deps(), event());
    expect(second).toMatchObject({ outcome: "imported", run: { importId: "IMP0001", attempts: 2 } });
    slow.release();
    expect(await first).toMatchObject({ outcome: "abandoned" });
    expect(await onlyImport()).toMatchObject({ status: "succeeded", attempts: 2 });
    expect((await stores.engagementStore.getEngagement(engagement))?.activeImportId).toBe("IMP0001");
    expect(await stores.importStore.readTrialBalance({ ...engagement, importId: "IMP0001" })).toHaveLength(11);
  });

  it("a heartbeat that finds the lease gone stops the attempt at its next record", async () => {
    const source = gatedSource(demo, 1_000);
    const faulty = faultyStore(stores.importStore, { renewLease: () => undefined });
    let renewals = 0;
    const losing: ImportStore = new Proxy(faulty.store, {
      get(target, property, receiver) {
        if (property === "renewLease") return async () => ++renewals < 0;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const running = importFile(deps({ importStore: losing, files: source, heartbeatSeconds: 0.02 }), event());
    await until(async () => (renewals > 0 ? true : undefined), "a heartbeat");
    source.release();
    expect(await running).toMatchObject({ outcome: "abandoned" });
    expect(await onlyImport()).toMatchObject({ status: "running" });
  });
});

describe("importFile: field limits", () => {
  const withCompanyName = (name: string) =>
    new TextEncoder().encode(
      new TextDecoder().decode(demo).replace("<Name>Fjellbekk Snekkeri AS</Name>", `<Name>${name}</Name>`),
    );

  it("cuts a 450 KB company name to 500 characters with a FIELD_TRUNCATED warning naming the field", async () => {
    // 460 800 characters; the parser trims the trailing space.
    files.objects.set(key, withCompanyName("Fjellbekk ".repeat(46_080)));
    const result = await importFile(deps(), event());
    expect(result.outcome).toBe("imported");
    const run = await onlyImport();
    expect(run.header?.company.name).toHaveLength(500);
    expect(run.header?.company.name?.startsWith("Fjellbekk Fjellbekk")).toBe(true);
    expect(run.issues).toContainEqual(
      expect.objectContaining({
        severity: "warning",
        code: "FIELD_TRUNCATED",
        field: "header.company.name",
        message: expect.stringContaining("65536 characters long"),
      }),
    );
    // The parser kept the first 65 536 characters (its bound on any value), then the field limit cut it to 500.
    expect(run.issues).toContainEqual(expect.objectContaining({ severity: "warning", code: "SAFT_VALUE_TOO_LONG" }));
  });

  it("cuts an over-long account name and line description, naming account, field and position", async () => {
    const text = new TextDecoder()
      .decode(demo)
      .replace(
        "<AccountDescription>Bankinnskudd</AccountDescription>",
        `<AccountDescription>${"B".repeat(800)}</AccountDescription>`,
      );
    files.objects.set(key, new TextEncoder().encode(text));
    await importFile(deps(), event());
    const run = await onlyImport();
    const issue = run.issues?.find((candidate) => candidate.code === "FIELD_TRUNCATED");
    expect(issue).toMatchObject({ field: "account.name", account: "1920", location: { line: 25 } });
    const rows = await stores.importStore.readTrialBalance({ ...engagement, importId: run.importId });
    expect(rows.find((row) => row.account === "1920")?.name).toBe("B".repeat(500));
  });

  it("fails an import whose account number is over 200 characters (ids are never cut)", async () => {
    const text = new TextDecoder()
      .decode(demo)
      .replace("<AccountID>1920</AccountID>", `<AccountID>${"9".repeat(250)}</AccountID>`);
    files.objects.set(key, new TextEncoder().encode(text));
    const result = await importFile(deps(), event());
    expect(result).toMatchObject({
      outcome: "failed",
      run: {
        status: "failed",
        failure: {
          code: "FIELD_TOO_LONG",
          message: expect.stringMatching(/^demo\.xml:25:\d+: account\.id is 250 characters/),
        },
      },
    });
    expect((await stores.engagementStore.getEngagement(engagement))?.activeImportId).toBeUndefined();
  });
});
