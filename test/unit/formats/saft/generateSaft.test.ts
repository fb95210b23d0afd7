import { describe, expect, it } from "vitest";
import { generateSaft } from "../../../../bench/generateSaft.ts";
import { parseSaft } from "../../../../lib/formats/saft/index.ts";
import { collect } from "../../../helpers/fixtures.ts";
import { summarize } from "./saftTestHelpers.ts";

describe("bench/generateSaft produces a consistent SAF-T 1.30 file", () => {
  it("balances every transaction, closes every account and declares correct control totals", async () => {
    const parsed = summarize(
      await collect(parseSaft(generateSaft({ transactions: 500, linesPerTransaction: 4, accounts: 20, seed: 7 }))),
    );
    expect(parsed.header.formatVersion).toBe("1.30");
    expect(parsed.issues).toEqual([]);
    expect(parsed.accounts).toHaveLength(20);
    expect(parsed.transactions).toHaveLength(500);
    expect(parsed.lineCount).toBe(2000);
    for (const transaction of parsed.transactions)
      expect(transaction.lines.reduce((sum, line) => sum + line.amount, 0n)).toBe(0n);
    const movement = new Map<string, bigint>();
    for (const transaction of parsed.transactions)
      for (const line of transaction.lines)
        movement.set(line.account, (movement.get(line.account) ?? 0n) + line.amount);
    for (const account of parsed.accounts)
      expect(account.opening! + (movement.get(account.id) ?? 0n)).toBe(account.closing);
    expect(parsed.accounts.reduce((sum, account) => sum + account.opening!, 0n)).toBe(0n);
    expect(parsed.controlTotals[0]).toMatchObject({
      numberOfEntries: 500,
      totalDebit: parsed.totalDebit,
      totalCredit: parsed.totalCredit,
    });
  });

  it("writes the dense profile as a consistent file of about 300 bytes per line", async () => {
    const bytes = Buffer.concat(
      await collect(generateSaft({ transactions: 400, linesPerTransaction: 3, seed: 5, profile: "dense" })),
    );
    const parsed = summarize(
      await collect(
        parseSaft(
          (async function* () {
            yield bytes;
          })(),
        ),
      ),
    );
    expect(parsed.issues).toEqual([]);
    expect(parsed.lineCount).toBe(1200);
    for (const transaction of parsed.transactions)
      expect(transaction.lines.reduce((sum, line) => sum + line.amount, 0n)).toBe(0n);
    const movement = new Map<string, bigint>();
    for (const transaction of parsed.transactions)
      for (const line of transaction.lines)
        movement.set(line.account, (movement.get(line.account) ?? 0n) + line.amount);
    for (const account of parsed.accounts)
      expect(account.opening! + (movement.get(account.id) ?? 0n)).toBe(account.closing);
    expect(parsed.controlTotals[0]).toMatchObject({
      numberOfEntries: 400,
      totalDebit: parsed.totalDebit,
      totalCredit: parsed.totalCredit,
    });
    // The master files weigh little beside 1 200 lines; the transactions set the bytes per line.
    const perLine = bytes.length / parsed.lineCount;
    expect(perLine).toBeGreaterThan(250);
    expect(perLine).toBeLessThan(350);
  });

  it("gives the same bytes for the same seed", async () => {
    const a = Buffer.concat(await collect(generateSaft({ transactions: 50, seed: 3 })));
    const b = Buffer.concat(await collect(generateSaft({ transactions: 50, seed: 3 })));
    expect(a.equals(b)).toBe(true);
  });

  it("numbers a chart of 5 000 accounts uniquely, each in its class, and puts a busy account's share of lines on the bank", async () => {
    const parsed = summarize(
      await collect(
        parseSaft(
          generateSaft({ transactions: 2_000, accounts: 5_000, seed: 4, profile: "dense", busyAccountShare: 0.5 }),
        ),
      ),
    );
    expect(parsed.issues).toEqual([]);
    expect(parsed.accounts).toHaveLength(5_000);
    expect(new Set(parsed.accounts.map((account) => account.id)).size).toBe(5_000);
    for (const account of parsed.accounts) expect(account.id).toMatch(/^[1-8]\d{3}$/);
    const onBank = parsed.transactions.filter((transaction) =>
      transaction.lines.some((line) => line.account === parsed.accounts[0]!.id),
    ).length;
    expect(onBank).toBeGreaterThan(800);
    expect(onBank).toBeLessThan(1_300);
    expect(parsed.accounts.reduce((sum, account) => sum + account.opening!, 0n)).toBe(0n);
  });
});
