import { describe, expect, it } from "vitest";
import { generateSie } from "../../../../bench/generateSie.ts";
import { parseSie } from "../../../../lib/formats/sie/index.ts";
import { collect } from "../../../helpers/fixtures.ts";
import { split, sum } from "./sieTestHelpers.ts";

async function bytesOf(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  return Buffer.concat(await collect(chunks));
}

describe("generateSie (benchmark data)", () => {
  it("writes a SIE 4E file that parses without findings", async () => {
    const parsed = split(
      await collect(parseSie(generateSie({ vouchers: 300, linesPerVoucher: 4, accounts: 40, seed: 7 }))),
    );
    expect(parsed.header).toMatchObject({ formatVersion: "4E", encoding: "cp437", currency: "SEK" });
    expect(parsed.header.company.name).toBe("Genererat Övningsbolag AB");
    expect(parsed.issues).toEqual([]);
    expect(parsed.accounts.size).toBe(40);
    expect(parsed.transactions).toHaveLength(300);
    expect(parsed.transactions.flatMap((t) => t.lines)).toHaveLength(1200);
  });

  it("balances every voucher and agrees with its own #IB, #UB and #RES", async () => {
    const parsed = split(await collect(parseSie(generateSie({ vouchers: 500, seed: 3 }))));
    const movement = new Map<string, bigint>();
    for (const transaction of parsed.transactions) {
      expect(sum(transaction.lines.map((line) => line.amount))).toBe(0n);
      for (const line of transaction.lines)
        movement.set(line.account, (movement.get(line.account) ?? 0n) + line.amount);
    }
    for (const account of parsed.accounts.values()) {
      expect(account.opening! + (movement.get(account.id) ?? 0n)).toBe(account.closing);
    }
    expect(sum([...parsed.accounts.values()].map((account) => account.opening))).toBe(0n);
  });

  it("writes audit-trail rows on request: #BTRANS and #RTRANS beside the #TRANS that counts", async () => {
    const bytes = await bytesOf(generateSie({ vouchers: 400, linesPerVoucher: 2, seed: 4, auditTrailEvery: 8 }));
    const text = bytes.toString("latin1");
    expect(text.match(/^\t#BTRANS /gm)).toHaveLength(50);
    expect(text.match(/^\t#RTRANS /gm)).toHaveLength(50);
    const parsed = split(
      await collect(
        parseSie(
          (async function* () {
            yield bytes;
          })(),
        ),
      ),
    );
    expect(parsed.transactions).toHaveLength(400);
    expect(parsed.transactions.flatMap((t) => t.lines)).toHaveLength(800);
    const movement = new Map<string, bigint>();
    for (const transaction of parsed.transactions) {
      expect(sum(transaction.lines.map((line) => line.amount))).toBe(0n);
      for (const line of transaction.lines)
        movement.set(line.account, (movement.get(line.account) ?? 0n) + line.amount);
    }
    for (const account of parsed.accounts.values())
      expect(account.opening! + (movement.get(account.id) ?? 0n)).toBe(account.closing);
    expect(parsed.issues.map((issue) => issue.severity)).not.toContain("error");
    expect(parsed.issues.filter((issue) => issue.severity === "warning")).toEqual([]);
  });

  it("gives the same bytes for the same seed and other bytes for another", async () => {
    const a = await bytesOf(generateSie({ vouchers: 50, seed: 1 }));
    const b = await bytesOf(generateSie({ vouchers: 50, seed: 1 }));
    const c = await bytesOf(generateSie({ vouchers: 50, seed: 2 }));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it("streams in chunks of about 64 KiB", async () => {
    const chunks = await collect(generateSie({ vouchers: 5000, seed: 1 }));
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(chunk.length).toBeLessThan(80 * 1024);
  });
});
