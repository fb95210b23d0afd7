import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { DynamoImportWriter } from "../../../lib/store/dynamo/DynamoImportWriter.ts";
import { DEFAULT_RETRY_POLICY } from "../../../lib/store/dynamo/retry.ts";
import { makeTransactions, trialBalanceOf } from "./storeFixtures.ts";

interface BatchInput {
  RequestItems: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]>;
}

/** A document client that records BatchWriteItem calls and answers them only when the test lets it. */
function gatedClient() {
  const calls: BatchInput[] = [];
  const waiting: (() => void)[] = [];
  let open = false;
  const documents = {
    send: async (command: { input: BatchInput }) => {
      calls.push(command.input);
      if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
      return { UnprocessedItems: {} };
    },
  } as unknown as DynamoDBDocumentClient;
  return {
    documents,
    calls,
    inFlight: () => waiting.length,
    release: () => {
      open = true;
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function writer(documents: DynamoDBDocumentClient, concurrency = 2) {
  return new DynamoImportWriter({
    documents,
    tableName: "t",
    ref: { tenantId: "t1", clientId: "c", engagementId: "e", importId: "I1" },
    concurrency,
    retry: { ...DEFAULT_RETRY_POLICY, sleep: async () => {} },
    limits: { maxLines: 10, maxRawBytes: 1e9, maxGzipBytes: 300_000 },
    setDataExpiry: async () => {},
  });
}

describe("DynamoImportWriter", () => {
  it("makes addTransaction wait while the batch writes in flight are at the limit", async () => {
    const gate = gatedClient();
    const importWriter = writer(gate.documents);
    let accepted = 0;
    let blocked: Promise<void> | undefined;
    for (const transaction of makeTransactions(2_000, { linesPerTransaction: 5 })) {
      const added = importWriter.addTransaction(transaction);
      // Blocked means: still pending while both writes are held in flight. A merely slow step (a loaded machine
      // compressing a chunk) resolves on a later look, so look again rather than calling it blocked.
      let done = false;
      for (let look = 0; look < 50 && !done; look++) {
        done = await Promise.race([added.then(() => true), settle().then(() => false)]);
        if (!done && gate.inFlight() === 2) break;
      }
      if (!done) {
        blocked = added;
        break;
      }
      accepted++;
    }
    expect(blocked).toBeDefined();
    expect(gate.inFlight()).toBe(2);
    // Two batches of 25 chunks in flight, one being filled, a few sealed chunks queued: ≈ 80 chunks of 10 lines.
    expect(accepted * 5).toBeLessThan(1_000);

    gate.release();
    await blocked;
    const statistics = await importWriter.finish([]);
    expect(statistics.chunks).toBe(Math.ceil(((accepted + 1) * 5) / 10));
  });

  it("numbers chunks in file order and indexes each account's chunks", async () => {
    const gate = gatedClient();
    gate.release();
    const importWriter = writer(gate.documents, 4);
    const transactions = makeTransactions(60, { linesPerTransaction: 3 });
    for (const transaction of transactions) await importWriter.addTransaction(transaction);
    const statistics = await importWriter.finish(trialBalanceOf(transactions));

    const items = gate.calls.flatMap((call) => call.RequestItems.t!.map((request) => request.PutRequest.Item));
    const chunks = items.filter((item) => item.type === "chunk").map((item) => item.chunk);
    expect(chunks).toEqual([...Array(18).keys()]);
    expect(statistics).toMatchObject({ chunks: 18, items: items.length });
    const directory = items.find((item) => item.type === "dir");
    expect(JSON.parse(directory!.entries as string)).toHaveLength(18);
    const row = items.find((item) => item.type === "tbRow" && item.account === "1500");
    expect(row?.chunks).toMatch(/^\d/);
    expect(items.find((item) => item.type === "tbRow" && item.account === "2050")?.chunks).toBe("");
    // The directory is written after every chunk has landed.
    const lastChunkCall = gate.calls.findLastIndex((call) =>
      call.RequestItems.t!.some((r) => r.PutRequest.Item.type === "chunk"),
    );
    const directoryCall = gate.calls.findIndex((call) =>
      call.RequestItems.t!.some((r) => r.PutRequest.Item.type === "dir"),
    );
    expect(directoryCall).toBeGreaterThan(lastChunkCall);
  });

  it("sends at most 25 items per BatchWriteItem call", async () => {
    const gate = gatedClient();
    gate.release();
    const importWriter = writer(gate.documents);
    for (const transaction of makeTransactions(300)) await importWriter.addTransaction(transaction);
    await importWriter.finish([]);
    expect(Math.max(...gate.calls.map((call) => call.RequestItems.t!.length))).toBe(25);
  });
});
