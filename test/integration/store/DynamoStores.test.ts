import { randomBytes } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import type { LinePosition } from "../../../lib/imports/ports.ts";
import type { LedgerLine } from "../../../lib/ledger/types.ts";
import type { ImportRun } from "../../../lib/imports/types.ts";
import { createLocalDynamoDbClient } from "../../../lib/local/localClients.ts";
import {
  createDynamoStores,
  type DynamoStores,
  type DynamoStoresOptions,
} from "../../../lib/store/createDynamoStores.ts";
import { itemSize } from "../../../lib/store/dynamo/itemSize.ts";
import { keys } from "../../../lib/store/dynamo/keys.ts";
import { StoreError, StoreUnavailableError } from "../../../lib/store/errors.ts";
import { useTestEmulators } from "../../helpers/emulators.ts";
import { storeContract } from "../../unit/store/storeContract.ts";
import {
  client,
  engagement,
  expectedLines,
  importRun,
  makeTransactions,
  newTenantId,
  trialBalanceOf,
  lease,
} from "../../unit/store/storeFixtures.ts";
import { countChunkReads, importDataItems, injectFaults, trackInFlight } from "./dynamoProbes.ts";
import { listAllImports } from "../../../lib/imports/listAllImports.ts";

const emulators = useTestEmulators();
const noWait = async () => {};
const opened: DynamoStores[] = [];

afterEach(() => {
  for (const stores of opened.splice(0)) stores.close();
});

/** The stores on the emulator's table; with `faulty`, on its own client so injected faults stay in the test. */
function newStore(options: Partial<DynamoStoresOptions> = {}): DynamoStores {
  const store = createDynamoStores({
    tableName: emulators().tableName,
    client: emulators().dynamo,
    sleep: noWait,
    ...options,
  });
  opened.push(store);
  return store;
}

async function dataExpiries(importId: string): Promise<(number | undefined)[]> {
  const { table, chunks } = await importDataItems(emulators().documents, emulators().tableName, importId);
  return [...table, ...chunks].map((item) => item.expiresAt as number | undefined);
}

// Small chunks (40 lines) so that a few hundred lines already span many chunks and vouchers cross chunk boundaries.
storeContract(
  "DynamoDB stores",
  async (now) => ({ stores: newStore({ now, chunkLimits: { maxLines: 40 } }), dataExpiries }),
  { pagingRuns: 25 },
);

async function setupEngagement(store: DynamoStores): Promise<EngagementRef> {
  const tenantId = newTenantId();
  await store.engagementStore.createClient(client(tenantId, "acme"));
  await store.engagementStore.createEngagement(engagement(tenantId, "acme", "2024"));
  return { tenantId, clientId: "acme", engagementId: "2024" };
}

async function claim(store: DynamoStores, ref: EngagementRef): Promise<ImportRun> {
  const result = await store.importStore.claimImport(importRun(ref), lease("2025-01-10T10:15:00.000Z"));
  if (result.outcome !== "claimed") throw new Error("expected a claim");
  return result.run;
}

async function readAllLines(
  store: DynamoStores,
  run: ImportRun,
  limit = 5_000,
  filters: { account?: string; voucher?: string; from?: string; to?: string } = {},
): Promise<LedgerLine[]> {
  const lines: LedgerLine[] = [];
  let after: LinePosition | undefined;
  do {
    const page = await store.importStore.readTransactionLines(run, {
      ...filters,
      limit,
      ...(after === undefined ? {} : { after }),
    });
    lines.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return lines;
}

describe("DynamoDB stores: chunk items", () => {
  it("keeps every chunk item under 400 KB and ≤ 10 items per 1 000 lines, a 20 000-line voucher included", async () => {
    const store = newStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const transactions = makeTransactions(6_000, { bigLine: 20_000 });
    const lineCount = transactions.reduce((sum, transaction) => sum + transaction.lines.length, 0);
    expect(lineCount).toBeGreaterThan(40_000);

    const writer = store.importStore.openImportWriter(run);
    for (const transaction of transactions) await writer.addTransaction(transaction);
    const statistics = await writer.finish(trialBalanceOf(transactions));

    const { table, chunks } = await importDataItems(emulators().documents, emulators().tableName, run.importId);
    expect(chunks).toHaveLength(statistics.chunks);
    expect(statistics.chunks).toBeGreaterThanOrEqual(Math.ceil(lineCount / 4_000));
    for (const item of chunks) expect(itemSize(item)).toBeLessThan(400 * 1024);
    // Written: chunks + one row per account + one directory page (the owner marker was written by the claim).
    expect(statistics.items).toBe(chunks.length + table.length - 1);
    expect((statistics.items / lineCount) * 1000).toBeLessThanOrEqual(10);
    expect(chunks.reduce((sum, item) => sum + (item.lineCount as number), 0)).toBe(lineCount);

    const big = await store.importStore.readTransactionLines(run, { voucher: "BIG3000", limit: 30_000 });
    expect(big.items).toHaveLength(20_000);
    expect(big.items.map((line) => line.lineNumber)).toEqual([...Array(20_000).keys()]);
  });

  it("splits a chunk whose lines compress badly, so no item exceeds the limit", async () => {
    const store = newStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    // 180 random characters per line: gzip gains little, 4 000 lines would make a ≈ 500 KB payload.
    const transactions = makeTransactions(2_000, { noise: true });
    const writer = store.importStore.openImportWriter(run);
    for (const transaction of transactions) await writer.addTransaction(transaction);
    const statistics = await writer.finish(trialBalanceOf(transactions));

    const { chunks } = await importDataItems(emulators().documents, emulators().tableName, run.importId);
    const lineCount = expectedLines(transactions).length;
    expect(statistics.chunks).toBeGreaterThan(Math.ceil(lineCount / 4_000));
    for (const item of chunks) {
      expect((item.lines as Uint8Array).byteLength).toBeLessThanOrEqual(300_000);
      expect(itemSize(item)).toBeLessThan(400 * 1024);
    }
    expect(await readAllLines(store, run)).toEqual(expectedLines(transactions));
  });

  it("stamps every data item with its tenant", async () => {
    const store = newStore({ chunkLimits: { maxLines: 10 } });
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const writer = store.importStore.openImportWriter(run);
    for (const transaction of makeTransactions(20)) await writer.addTransaction(transaction);
    await writer.finish(trialBalanceOf(makeTransactions(20)));
    const { table, chunks } = await importDataItems(emulators().documents, emulators().tableName, run.importId);
    expect(chunks.length).toBeGreaterThan(3);
    for (const item of [...table, ...chunks]) expect(item.tenantId).toBe(ref.tenantId);
  });
});

describe("DynamoDB stores: account and voucher filters read only the chunks that can match", () => {
  /** A store on its own client, counting the chunk items it reads. */
  const countingStore = () => {
    const dynamo = createLocalDynamoDbClient(emulators().dynamoEndpoint);
    const store = newStore({ client: dynamo, chunkLimits: { maxLines: 40 } });
    return { store, reads: countChunkReads(dynamo), dynamo };
  };
  const filters = [
    { voucher: "nope" },
    { voucher: "V77" },
    { voucher: "BIG100" },
    { account: "9999" },
    { account: "6300" },
    { account: "1920", voucher: "V3" },
    { account: "1920", voucher: "V4", from: "2024-02-01", to: "2024-12-31" },
    {},
  ];

  it("reads no chunk for a voucher or an account that no line has, and few for one that some lines have", async () => {
    const { store, reads, dynamo } = countingStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const transactions = makeTransactions(300, { bigLine: 60 });
    const writer = store.importStore.openImportWriter(run);
    for (const transaction of transactions) await writer.addTransaction(transaction);
    const statistics = await writer.finish(trialBalanceOf(transactions));
    expect(statistics.chunks).toBeGreaterThan(20);
    try {
      const all = expectedLines(transactions);
      const readCounted = async (query: { account?: string; voucher?: string }) => {
        reads.chunks = 0;
        // One page each (a following page re-reads the chunk its cursor points into).
        const lines = await readAllLines(store, run, 10_000, query);
        return { lines, chunks: reads.chunks };
      };

      expect(await readCounted({ voucher: "nope" })).toEqual({ lines: [], chunks: 0 });
      expect(await readCounted({ account: "9999" })).toEqual({ lines: [], chunks: 0 });
      expect(await readCounted({ account: "1920", voucher: "nope" })).toEqual({ lines: [], chunks: 0 });

      const voucher = await readCounted({ voucher: "V77" });
      expect(voucher.lines).toEqual(all.filter((line) => line.transactionId === "V77"));
      expect(voucher.lines.length).toBeGreaterThan(0);
      expect(voucher.chunks).toBeLessThanOrEqual(2);
      const big = await readCounted({ voucher: "BIG150" });
      expect(big.lines).toEqual(all.filter((line) => line.transactionId === "BIG150"));
      expect(big.chunks).toBe(new Set(chunkSpan(all, (line) => line.transactionId === "BIG150")).size);

      const everything = await readCounted({});
      expect(everything.lines).toEqual(all);
      expect(everything.chunks).toBe(statistics.chunks);
    } finally {
      dynamo.destroy();
    }
  });

  it("answers the same with the indexes as an import written before them, which reads every chunk", async () => {
    const { store, reads, dynamo } = countingStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const transactions = makeTransactions(200, { bigLine: 45 });
    const writer = store.importStore.openImportWriter(run);
    for (const transaction of transactions) await writer.addTransaction(transaction);
    // 6300 has lines but no row: found through the directory's unlisted accounts.
    const statistics = await writer.finish(trialBalanceOf(transactions).filter((row) => row.account !== "6300"));
    try {
      const indexed: { lines: LedgerLine[]; chunks: number }[] = [];
      for (const query of [...filters, { account: "6300", voucher: "V5" }]) {
        reads.chunks = 0;
        indexed.push({ lines: await readAllLines(store, run, 7, query), chunks: reads.chunks });
      }

      // Strip the indexes as an import written before them has none: no voucher index, no marker on the directory.
      const { table } = await importDataItems(emulators().documents, emulators().tableName, run.importId);
      const voucherPages = table.filter((item) => String(item.sk).startsWith(keys.voucherIndexPrefix));
      expect(voucherPages.length).toBeGreaterThan(0);
      for (const item of voucherPages) {
        await emulators().documents.send(
          new DeleteCommand({ TableName: emulators().tableName, Key: { pk: item.pk, sk: item.sk } }),
        );
      }
      await emulators().documents.send(
        new UpdateCommand({
          TableName: emulators().tableName,
          Key: keys.directoryPage(run.importId, 0),
          UpdateExpression: "REMOVE voucherIndexPages, unlistedAccounts",
        }),
      );

      for (const [index, query] of [...filters, { account: "6300", voucher: "V5" }].entries()) {
        reads.chunks = 0;
        const legacy = await readAllLines(store, run, 7, query);
        expect(legacy, JSON.stringify(query)).toEqual(indexed[index]!.lines);
        expect(indexed[index]!.chunks).toBeLessThanOrEqual(reads.chunks);
      }
      expect(indexed[0]!.chunks).toBe(0);
      reads.chunks = 0;
      expect(await readAllLines(store, run, 1_000, { voucher: "nope" })).toEqual([]);
      expect(reads.chunks).toBe(statistics.chunks);
    } finally {
      dynamo.destroy();
    }
  });
});

/** The chunk (40 lines each, as written above) of every line that passes `test`. */
function chunkSpan(lines: readonly LedgerLine[], test: (line: LedgerLine) => boolean): number[] {
  return lines.flatMap((line, index) => (test(line) ? [Math.floor(index / 40)] : []));
}

describe("DynamoDB stores: validation reports", () => {
  it("keeps a report too large for the import item in extra items, and reads it back whole", async () => {
    const store = newStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const issues = Array.from({ length: 6_000 }, (_, index) => ({
      severity: "warning" as const,
      code: `CODE_${index % 40}`,
      message: `${randomBytes(48).toString("base64")} on line ${index}`,
      amount: BigInt(index) * 1_000_000_000_007n,
      location: { line: index + 1, column: 1 },
    }));
    const final: ImportRun = { ...run, status: "succeeded", issues };
    await store.importStore.saveImport(final);

    const { table } = await importDataItems(emulators().documents, emulators().tableName, run.importId);
    expect(table.filter((item) => item.type === "issues").length).toBeGreaterThan(1);
    expect(await store.importStore.getImport(run)).toEqual(final);
    // A listing reads the summary only: neither the report nor its spilled pages.
    const [listed] = await listAllImports(store.importStore, ref);
    expect(listed).toEqual((({ issues: _issues, header: _header, ...summary }) => summary)(final));
  });
});

describe("DynamoDB stores: listing imports", () => {
  it("reads one small projection per import in one Query: no report, no spilled page, no item per import", async () => {
    const dynamo = createLocalDynamoDbClient(emulators().dynamoEndpoint);
    const store = newStore({ client: dynamo });
    try {
      const ref = await setupEngagement(store);
      const runs: ImportRun[] = [];
      for (let index = 0; index < 3; index++) {
        const run = await claim(store, ref);
        const issues = Array.from({ length: index === 0 ? 6_000 : 3 }, (_, line) => ({
          severity: "warning" as const,
          code: "CODE",
          message: `${randomBytes(48).toString("base64")} on line ${line}`,
          location: { line: line + 1, column: 1 },
        }));
        const counts = {
          accounts: 1,
          transactions: 1,
          lines: 2,
          totals: { opening: null, movement: null, closing: "0.00" },
          issues: { error: 0, warning: issues.length, info: 0 },
        };
        const final: ImportRun = { ...run, status: "succeeded", counts, issues };
        await store.importStore.saveImport(final);
        runs.push(final);
      }
      const queries = injectFaults(dynamo, "Query", () => "pass");
      const gets = injectFaults(dynamo, "GetItem", () => "pass");
      const listed = await store.importStore.listImports(ref, { limit: 10 });
      expect(queries.calls).toBe(1);
      expect(gets.calls).toBe(0);
      expect(listed).toEqual({
        items: runs.reverse().map(({ issues: _issues, header: _header, ...summary }) => summary),
      });
    } finally {
      dynamo.destroy();
    }
  });

  it("lists an import item written before the summary's newer attributes existed", async () => {
    const store = newStore();
    const ref = await setupEngagement(store);
    const importId = "01HZZZZZZZZZZZZZZZZZZZZZZZ";
    // The summary of an import of an early version: no attempts, progress, hold or acceptance.
    const summary = {
      ...ref,
      importId,
      status: "succeeded",
      source: { type: "file", bucket: "b", key: "uploads/x/old.xml", fileName: "old.xml" },
      sourceId: "s3:old",
      orderKey: "2024-01-01T00:00:00.000Z#00",
      trigger: { kind: "s3-event" },
      createdAt: "2024-01-01T00:00:00.000Z",
      finishedAt: "2024-01-01T00:01:00.000Z",
      format: "saft",
      counts: {
        accounts: 11,
        transactions: 6,
        lines: 14,
        totals: { opening: "0.00", movement: "0.00", closing: "0.00" },
        issues: { error: 0, warning: 0, info: 1 },
      },
    };
    // Its item also names a report spilled to pages (never written here: a listing must not look for them) and an
    // expired lease, neither of which is part of the listing.
    await emulators().documents.send(
      new PutCommand({
        TableName: emulators().tableName,
        Item: {
          ...keys.importRun({ ...ref, importId }),
          type: "import",
          ...summary,
          issuePages: 3,
          leaseUntil: "2024-01-01T00:02:00.000Z",
        },
      }),
    );
    expect(await store.importStore.listImports(ref, { limit: 5 })).toEqual({ items: [summary] });
  });
});

describe("DynamoDB stores: source slots", () => {
  it("reads an engagement item activated before slots existed as having its import in the slot of its kind", async () => {
    const store = newStore();
    const ref = await setupEngagement(store);
    const activation = { now: "2025-01-10T10:00:00.000Z", retentionSeconds: 86_400 };
    const old = await claim(store, ref);
    await store.importStore.saveImport({ ...old, status: "running" });
    await store.importStore.activateImport(old, { ...activation, orderKey: old.orderKey });
    // The engagement item as an earlier version wrote it: the active import, no slots.
    await emulators().documents.send(
      new UpdateCommand({
        TableName: emulators().tableName,
        Key: keys.engagement(ref.tenantId, ref.clientId, ref.engagementId),
        UpdateExpression: "REMOVE #sources",
        ExpressionAttributeNames: { "#sources": "sources" },
      }),
    );
    expect((await store.engagementStore.getEngagement(ref))?.sources).toBeUndefined();
    const sync = await store.importStore.claimImport(
      importRun(ref, { api: true, orderKey: "2025-01-10T11:00:00.000Z#0" }),
      lease("2025-01-10T10:15:00.000Z"),
    );
    if (sync.outcome !== "claimed") throw new Error("expected a claim");
    expect(
      await store.importStore.activateImport(sync.run, { ...activation, orderKey: sync.run.orderKey, connected: true }),
    ).toEqual({ outcome: "activated", slot: "api", activeImportId: sync.run.importId });
    expect((await store.engagementStore.getEngagement(ref))?.sources).toEqual({
      file: { importId: old.importId, orderKey: old.orderKey },
      api: { importId: sync.run.importId, orderKey: "2025-01-10T11:00:00.000Z#0" },
    });
    expect((await store.importStore.getImport(old))?.status).toBe("succeeded");
  });
});

describe("DynamoDB stores: retries", () => {
  const faultyStore = (options: Partial<DynamoStoresOptions> = {}, client: { maxAttempts?: number } = {}) => {
    const dynamo = createLocalDynamoDbClient(emulators().dynamoEndpoint, { maxAttempts: client.maxAttempts ?? 1 });
    const store = newStore({ client: dynamo, chunkLimits: { maxLines: 20 }, ...options });
    return { store, dynamo };
  };

  it("retries unprocessed items until every item is written", async () => {
    const { store, dynamo } = faultyStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const seen = injectFaults(dynamo, "BatchWriteItem", (call) => (call <= 3 ? "unprocessed" : "pass"));
    const transactions = makeTransactions(100);
    const writer = store.importStore.openImportWriter(run);
    for (const transaction of transactions) await writer.addTransaction(transaction);
    await writer.finish(trialBalanceOf(transactions));
    dynamo.destroy();

    expect(seen.faults).toBe(3);
    expect(seen.calls).toBeGreaterThan(3);
    expect(await readAllLines(newStore(), run)).toEqual(expectedLines(transactions));
    expect(await newStore().importStore.readTrialBalance(run)).toHaveLength(trialBalanceOf(transactions).length);
  });

  it("leaves throttled requests to the SDK client's retries: one retry layer, as the client is configured", async () => {
    const delays: number[] = [];
    const { store, dynamo } = faultyStore(
      {
        sleep: async (ms) => {
          delays.push(ms);
        },
      },
      { maxAttempts: 4 },
    );
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const writes = injectFaults(dynamo, "BatchWriteItem", (call) => (call <= 3 ? "throttle" : "pass"), "deserialize");
    const transactions = makeTransactions(80);
    const writer = store.importStore.openImportWriter(run);
    for (const transaction of transactions) await writer.addTransaction(transaction);
    await writer.finish(trialBalanceOf(transactions));
    const reads = injectFaults(dynamo, "GetItem", (call) => (call <= 2 ? "throttle" : "pass"), "deserialize");
    const rows = await store.importStore.readTrialBalance(run);
    dynamo.destroy();

    expect(writes.faults).toBe(3);
    expect(writes.calls).toBeGreaterThan(3);
    expect(reads.faults).toBe(2);
    expect(rows).toHaveLength(trialBalanceOf(transactions).length);
    expect(await readAllLines(newStore(), run)).toEqual(expectedLines(transactions));
    // The SDK retried (and waited); the store's own backoff, kept for what the SDK cannot retry, never ran.
    expect(delays).toEqual([]);
  });

  it("gives up with StoreUnavailableError when throttling outlasts the client's attempts, adding none", async () => {
    const { store, dynamo } = faultyStore({ writeConcurrency: 1 }, { maxAttempts: 3 });
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const seen = injectFaults(dynamo, "BatchWriteItem", () => "throttle", "deserialize");
    const writer = store.importStore.openImportWriter(run);
    let failure: unknown;
    try {
      for (const transaction of makeTransactions(200)) await writer.addTransaction(transaction);
      await writer.finish([]);
    } catch (error) {
      failure = error;
    }
    dynamo.destroy();
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as StoreError).code).toBe("STORE_UNAVAILABLE");
    expect((failure as StoreError).context).toMatchObject({ operation: "BatchWriteItem" });
    // Exactly the client's 3 attempts of the one batch: no second layer multiplies them.
    expect(seen.calls).toBe(3);
  });

  it("gives up with StoreUnavailableError when items stay unprocessed", async () => {
    const { store, dynamo } = faultyStore({ maxRetries: 2 });
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    injectFaults(dynamo, "BatchWriteItem", () => "unprocessed");
    const writer = store.importStore.openImportWriter(run);
    for (const transaction of makeTransactions(3)) await writer.addTransaction(transaction);
    await expect(writer.finish(trialBalanceOf(makeTransactions(3)))).rejects.toMatchObject({
      code: "STORE_UNAVAILABLE",
      context: { attempts: 3 },
    });
    dynamo.destroy();
  });
});

describe("DynamoDB stores: items read back", () => {
  it("reports a client item of the wrong shape as a corrupt item", async () => {
    const store = newStore();
    const tenantId = newTenantId();
    await emulators().documents.send(
      new PutCommand({
        TableName: emulators().tableName,
        Item: { ...keys.client(tenantId, "bad"), ...client(tenantId, "bad"), accountingSystem: "visma" },
      }),
    );
    await expect(store.engagementStore.getClient({ tenantId, clientId: "bad" })).rejects.toMatchObject({
      code: "STORE_CORRUPT_ITEM",
      message: expect.stringContaining("accountingSystem"),
    });
  });

  it("reports a trial-balance amount that is not a decimal string as a corrupt item", async () => {
    const store = newStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const writer = store.importStore.openImportWriter(run);
    for (const transaction of makeTransactions(4)) await writer.addTransaction(transaction);
    await writer.finish(trialBalanceOf(makeTransactions(4)));
    await emulators().documents.send(
      new UpdateCommand({
        TableName: emulators().tableName,
        Key: keys.trialBalanceRow(run.importId, "1920"),
        UpdateExpression: "SET closing = :closing",
        ExpressionAttributeValues: { ":closing": "12,50" },
      }),
    );
    await expect(store.importStore.readTrialBalance(run)).rejects.toMatchObject({
      code: "STORE_CORRUPT_ITEM",
      message: expect.stringContaining("closing"),
    });
  });

  it("reads trial-balance rows without their account → chunks index, which only a drill-down by account reads", async () => {
    const store = newStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const writer = store.importStore.openImportWriter(run);
    for (const transaction of makeTransactions(4)) await writer.addTransaction(transaction);
    const rows = trialBalanceOf(makeTransactions(4));
    await writer.finish(rows);
    const before = await store.importStore.readTrialBalance(run);
    await emulators().documents.send(
      new UpdateCommand({
        TableName: emulators().tableName,
        Key: keys.trialBalanceRow(run.importId, "1920"),
        UpdateExpression: "SET chunks = :chunks",
        ExpressionAttributeValues: { ":chunks": "not ranges" },
      }),
    );
    // The rows never touch the index: a broken one leaves them readable, exactly as before.
    expect(await store.importStore.readTrialBalance(run)).toEqual(before);
    expect(before.map((row) => row.account)).toEqual(rows.map((row) => row.account));
    await expect(store.importStore.readTransactionLines(run, { account: "1920", limit: 10 })).rejects.toMatchObject({
      code: "STORE_CORRUPT_ITEM",
      message: expect.stringContaining("chunks"),
    });
  });

  it("reports a chunk whose lines are not gzip as a corrupt item", async () => {
    const store = newStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const writer = store.importStore.openImportWriter(run);
    for (const transaction of makeTransactions(4)) await writer.addTransaction(transaction);
    await writer.finish(trialBalanceOf(makeTransactions(4)));
    await emulators().documents.send(
      new UpdateCommand({
        TableName: emulators().tableName,
        Key: keys.chunk(run.importId, 0),
        UpdateExpression: "SET #lines = :lines",
        ExpressionAttributeNames: { "#lines": "lines" },
        ExpressionAttributeValues: { ":lines": randomBytes(64) },
      }),
    );
    await expect(store.importStore.readTransactionLines(run, { limit: 10 })).rejects.toMatchObject({
      code: "STORE_CORRUPT_ITEM",
    });
  });

  it("refuses to serve a chunk that carries another tenant's id", async () => {
    const store = newStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const writer = store.importStore.openImportWriter(run);
    for (const transaction of makeTransactions(4)) await writer.addTransaction(transaction);
    await writer.finish(trialBalanceOf(makeTransactions(4)));
    await emulators().documents.send(
      new UpdateCommand({
        TableName: emulators().tableName,
        Key: keys.chunk(run.importId, 0),
        UpdateExpression: "SET tenantId = :other",
        ExpressionAttributeValues: { ":other": "someone-else" },
      }),
    );
    await expect(store.importStore.readTransactionLines(run, { limit: 10 })).rejects.toMatchObject({
      code: "STORE_CORRUPT_ITEM",
      message: expect.stringContaining("another tenant"),
    });
  });

  it("translates a failing request into a StoreError, never a raw SDK error", async () => {
    const store = newStore({ tableName: "no-such-table" });
    const failure = await store.engagementStore
      .getClient({ tenantId: "t", clientId: "c" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreError);
    expect(failure).toMatchObject({ code: "STORE_REQUEST_FAILED", context: { operation: "GetItem" } });
    expect((failure as Error).cause).toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("writes amounts as decimal strings, never numbers", async () => {
    const store = newStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const writer = store.importStore.openImportWriter(run);
    await writer.finish(trialBalanceOf([]));
    const { Item } = await emulators().documents.send(
      new GetCommand({ TableName: emulators().tableName, Key: keys.trialBalanceRow(run.importId, "2050") }),
    );
    expect(Item).toMatchObject({ opening: "-1234567890123456.78", posted: { debit: "0.00" } });
  });
});

describe("DynamoDB stores: nothing stuck, nothing lost", () => {
  const RETENTION_SECONDS = 30 * 86_400;

  it("a crash between activation and the TTL marking leaves the superseded version to the sweeper, which finishes it", async () => {
    const store = newStore({ chunkLimits: { maxLines: 40 }, now: () => new Date("2025-01-10T10:00:00.000Z") });
    const ref = await setupEngagement(store);
    const transactions = makeTransactions(200);
    const write = async (orderKey: string) => {
      const claimed = await store.importStore.claimImport(
        importRun(ref, { orderKey }),
        lease("2025-01-10T10:15:00.000Z"),
      );
      if (claimed.outcome !== "claimed") throw new Error("expected a claim");
      const writer = store.importStore.openImportWriter(claimed.run);
      for (const transaction of transactions) await writer.addTransaction(transaction);
      await writer.finish(trialBalanceOf(transactions));
      await store.importStore.saveImport({ ...claimed.run, status: "succeeded" });
      return claimed.run;
    };
    const activation = { now: "2025-01-10T10:00:00.000Z", retentionSeconds: RETENTION_SECONDS };
    const old = await write("2025-01-10T09:00:00.000Z#01");
    await store.importStore.activateImport(old, { ...activation, orderKey: old.orderKey });
    const next = await write("2025-01-10T09:30:00.000Z#02");

    // The "crash": every UpdateItem after the activation's transaction fails, as if the process died there.
    const dynamo = createLocalDynamoDbClient(emulators().dynamoEndpoint, { maxAttempts: 1 });
    const crashing = newStore({ client: dynamo, now: () => new Date("2025-01-10T10:00:00.000Z") });
    injectFaults(dynamo, "UpdateItem", () => "throttle");
    expect(await crashing.importStore.activateImport(next, { ...activation, orderKey: next.orderKey })).toMatchObject({
      outcome: "activated",
      previousImportId: old.importId,
    });
    dynamo.destroy();

    const expiresAt = Date.parse("2025-01-10T10:00:00.000Z") / 1000 + RETENTION_SECONDS;
    expect(await store.importStore.getImport(old)).toMatchObject({ status: "superseded", expiresAt });
    expect((await dataExpiries(old.importId)).filter((value) => value === undefined).length).toBeGreaterThan(0);
    // Not before its grace period (the process that activated would normally finish it itself)…
    const dueFor = async (at: string) =>
      (await store.importStore.listDueImports(at, 1000)).filter((due) => due.run.importId === old.importId);
    expect(await dueFor("2025-01-10T10:10:00.000Z")).toEqual([]);
    // …then it is the sweeper's.
    expect((await dueFor("2025-01-10T10:16:00.000Z")).map((due) => due.kind)).toEqual(["expiry"]);
    await store.importStore.finishDataExpiry(old);
    expect(new Set(await dataExpiries(old.importId))).toEqual(new Set([expiresAt]));
    expect(await dueFor("2099-01-01T00:00:00.000Z")).toEqual([]);
    // The active version's data never expires.
    expect(new Set(await dataExpiries(next.importId))).toEqual(new Set([undefined]));
  });

  it("finds the chunks a dead attempt wrote without a directory, and marks every one to expire", async () => {
    // Its own client, to see when the writer's batches have landed (a sleep here let a batch land after the sweep
    // on a loaded machine: a chunk nothing marked to expire).
    const dynamo = createLocalDynamoDbClient(emulators().dynamoEndpoint);
    onTestFinished(() => dynamo.destroy());
    const writes = trackInFlight(dynamo, "BatchWrite");
    const store = newStore({ client: dynamo, chunkLimits: { maxLines: 20 } });
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const writer = store.importStore.openImportWriter(run);
    // 50+ chunks: several batches land, the writer never finishes (no directory), as an attempt that died.
    for (const transaction of makeTransactions(600)) await writer.addTransaction(transaction);
    await writes.settled();
    const { chunks: before } = await importDataItems(emulators().documents, emulators().tableName, run.importId);
    expect(before.length).toBeGreaterThan(25);
    const expiresAt = 1_900_000_000;
    expect(
      await store.importStore.failDueImport(run, {
        now: "2025-01-10T10:16:00.000Z",
        failure: { code: "IMPORT_ATTEMPT_DIED", message: "died" },
        finishedAt: "2025-01-10T10:16:00.000Z",
        expiresAt,
      }),
    ).toBe(true);
    await store.importStore.finishDataExpiry(run);
    const { table, chunks } = await importDataItems(emulators().documents, emulators().tableName, run.importId);
    expect(chunks.length).toBeGreaterThanOrEqual(before.length);
    expect(new Set([...table, ...chunks].map((item) => item.expiresAt))).toEqual(new Set([expiresAt]));
  });

  it("refuses an item over 400 KB as STORE_ITEM_TOO_LARGE (a content problem), not as a retryable failure", async () => {
    const store = newStore();
    const ref = await setupEngagement(store);
    const run = await claim(store, ref);
    const huge = "Å".repeat(230_000); // 460 KB of UTF-8
    const error = await store.importStore
      .saveImport({ ...run, status: "succeeded", header: { company: { name: huge }, currency: "NOK" } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe("STORE_ITEM_TOO_LARGE");
    const writer = store.importStore.openImportWriter(run);
    const rows = trialBalanceOf(makeTransactions(2)).map((row, index) => (index === 0 ? { ...row, name: huge } : row));
    const rowError = await writer.finish(rows).catch((caught: unknown) => caught);
    expect((rowError as StoreError).code).toBe("STORE_ITEM_TOO_LARGE");
    expect((rowError as StoreError).message).toContain("ACC#");
  });
});
