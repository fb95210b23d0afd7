import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ChunkPacker,
  compressChunk,
  decodeChunkRanges,
  decompressChunk,
  encodeChunkRanges,
  type PackedLine,
} from "../../../lib/store/dynamo/transactionChunks.ts";
import { encodeLedgerLine } from "../../../lib/store/dynamo/itemCodec.ts";
import { toLedgerLines } from "../../../lib/store/ledgerLines.ts";
import { expectedLines, makeTransactions } from "./storeFixtures.ts";

const packed = (transactions = makeTransactions(50)): PackedLine[] =>
  transactions.flatMap(toLedgerLines).map((line) => ({
    json: encodeLedgerLine(line),
    account: line.account,
    date: line.date,
    voucher: line.transactionId,
  }));

describe("chunk ranges", () => {
  it("writes consecutive chunks as ranges", () => {
    expect(encodeChunkRanges([0, 1, 2, 3, 7, 9, 10])).toBe("0-3,7,9-10");
    expect(encodeChunkRanges([])).toBe("");
  });

  it("reads back any ascending set of chunk numbers", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 5_000 }), { maxLength: 300 }), (numbers) => {
        const sorted = [...numbers].sort((a, b) => a - b);
        expect(decodeChunkRanges(encodeChunkRanges(sorted))).toEqual(sorted);
      }),
    );
  });
});

describe("chunk packing", () => {
  it("seals a chunk at the line limit", () => {
    const packer = new ChunkPacker({ maxLines: 10, maxRawBytes: 1e9, maxGzipBytes: 300_000 });
    const sealed = packed()
      .map((line) => packer.add(line))
      .filter((chunk) => chunk !== undefined);
    expect(sealed.length).toBeGreaterThan(5);
    for (const chunk of sealed) expect(chunk).toHaveLength(10);
  });

  it("seals a chunk at the byte limit before the line limit", () => {
    const packer = new ChunkPacker({ maxLines: 1_000, maxRawBytes: 2_000, maxGzipBytes: 300_000 });
    const sealed = packed()
      .map((line) => packer.add(line))
      .filter((chunk) => chunk !== undefined);
    for (const chunk of sealed) {
      const bytes = chunk.reduce((sum, line) => sum + line.json.length + 1, 2);
      expect(bytes).toBeGreaterThanOrEqual(2_000);
      expect(bytes - chunk.at(-1)!.json.length - 1).toBeLessThan(2_000);
    }
  });

  it("round-trips lines through gzip exactly, bigint amounts included", async () => {
    const transactions = makeTransactions(30);
    const [chunk] = await compressChunk(packed(transactions));
    expect(await decompressChunk(chunk!.payload, { pk: "p", sk: "s" })).toEqual(expectedLines(transactions));
    expect(JSON.parse(gunzipSync(chunk!.payload).toString("utf8"))[0].amount).toMatch(/^-?\d+\.\d\d$/);
  });

  it("splits a payload over the limit into ordered halves that each fit", async () => {
    const lines = packed(makeTransactions(400, { noise: true }));
    const chunks = await compressChunk(lines, 20_000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.payload.length).toBeLessThanOrEqual(20_000);
    const roundTrip = (
      await Promise.all(chunks.map((chunk) => decompressChunk(chunk.payload, { pk: "p", sk: "s" })))
    ).flat();
    expect(roundTrip.map((line) => `${line.transactionId}/${line.lineNumber}`)).toEqual(
      lines.map((line) => {
        const parsed = JSON.parse(line.json) as { transactionId: string; lineNumber: number };
        return `${parsed.transactionId}/${parsed.lineNumber}`;
      }),
    );
  });

  it("describes a chunk by its date range, line count and accounts", async () => {
    const lines = packed(makeTransactions(12));
    const [chunk] = await compressChunk(lines);
    expect(chunk).toMatchObject({
      lineCount: lines.length,
      minDate: lines.map((line) => line.date).sort()[0],
      maxDate: lines
        .map((line) => line.date)
        .sort()
        .at(-1),
    });
    expect(new Set(chunk!.accounts)).toEqual(new Set(lines.map((line) => line.account)));
  });

  it("refuses a single line too large for any item", async () => {
    const line = { json: JSON.stringify({ description: "a line" }), account: "1", date: "2024-01-01", voucher: "V1" };
    await expect(compressChunk([line], 10)).rejects.toMatchObject({ code: "STORE_ITEM_TOO_LARGE" });
  });

  it("reports a payload that is not ledger lines as a corrupt item", async () => {
    const [chunk] = await compressChunk([
      { json: '{"amount":"1,5"}', account: "1", date: "2024-01-01", voucher: "V1" },
    ]);
    await expect(decompressChunk(chunk!.payload, { pk: "p", sk: "s" })).rejects.toMatchObject({
      code: "STORE_CORRUPT_ITEM",
    });
  });
});
