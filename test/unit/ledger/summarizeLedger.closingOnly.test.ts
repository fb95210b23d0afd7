import { describe, expect, it } from "vitest";
import { renderSummary } from "../../../lib/cli/renderSummary.ts";
import type { ImportRecord } from "../../../lib/ledger/records.ts";
import { LedgerJsonSchema, toLedgerJson } from "../../../lib/ledger/ledgerJson.ts";
import { LedgerSummarizer } from "../../../lib/ledger/summarizeLedger.ts";
import type { Account, FileHeader } from "../../../lib/ledger/types.ts";

/**
 * A closing-balance file (a CSV with only a closing column): no transactions and no opening balance anywhere, so
 * opening and movement are unknown — null in JSON, blank in text — and the report says so once.
 */
const header: FileHeader = {
  format: "csv",
  formatVersion: "tab/decimal-comma/no-header",
  encoding: "utf-8",
  company: {},
  currency: "NOK",
};

function account(id: string, figures: Pick<Account, "opening" | "movement" | "closing">): ImportRecord {
  return { type: "account", account: { id, name: `Account ${id}`, mapping: {}, ...figures } };
}

function summarize(records: ImportRecord[]) {
  const summarizer = new LedgerSummarizer();
  summarizer.add({ type: "header", header });
  for (const record of records) summarizer.add(record);
  return summarizer.finish();
}

describe("a file that states closing balances only", () => {
  const closingOnly = [
    account("1500", { closing: 125_00n }),
    account("1920", { closing: -100_00n }),
    account("3000", { closing: -25_00n }),
  ];

  it("leaves opening and movement unknown, totals included, and says so in one info issue", () => {
    const summary = summarize(closingOnly);
    expect(summary.rows.map((row) => [row.account, row.opening, row.movement, row.closing])).toEqual([
      ["1500", null, null, 125_00n],
      ["1920", null, null, -100_00n],
      ["3000", null, null, -25_00n],
    ]);
    expect(summary.totals).toEqual({ opening: null, movement: null, closing: 0n });
    expect(summary.issues).toEqual([expect.objectContaining({ severity: "info", code: "OPENING_NOT_STATED" })]);
    expect(summary.issues[0]!.message).toContain("unknown (null, not 0) for 3 account(s)");
  });

  it("reports no CLOSING_MISMATCH and no CLOSING_NOT_BALANCED noise, but a real closing imbalance", () => {
    const unbalanced = summarize([...closingOnly, account("8800", { closing: 10_00n })]);
    expect(unbalanced.issues.map((issue) => issue.code)).toEqual(["OPENING_NOT_STATED", "CLOSING_NOT_BALANCED"]);
    expect(unbalanced.issues[1]!.amount).toBe(10_00n);
  });

  it("prints null in JSON (valid against LedgerJsonSchema) and blanks in the text table", () => {
    const summary = summarize(closingOnly);
    const json = LedgerJsonSchema.parse(toLedgerJson(summary));
    expect(json.accounts[0]).toMatchObject({ account: "1500", opening: null, movement: null, closing: "125.00" });
    expect(json.totals).toEqual({ opening: null, movement: null, closing: "0.00" });

    const text = renderSummary(summary, "tb.txt", "en").split("\n");
    const row = text.find((line) => line.startsWith("1500"))!;
    // The opening and movement columns are blank: only the closing amount follows the name.
    expect(row.replace(/\s+/g, " ").trim()).toBe("1500 Account 1500 125.00");
    const total = text.find((line) => line.startsWith("Total"))!;
    expect(total.replace(/\s+/g, " ").trim()).toBe("Total trial balance (3 accounts) 0.00");
    expect(text.some((line) => /OPENING_NOT_STATED/.test(line))).toBe(true);
  });

  it("computes the opening as closing − movement where the file states the movement too", () => {
    const summary = summarize([
      account("1920", { movement: 30_00n, closing: 130_00n }),
      account("2000", { movement: -30_00n, closing: -130_00n }),
    ]);
    expect(summary.rows.map((row) => [row.account, row.opening, row.movement, row.closing])).toEqual([
      ["1920", 100_00n, 30_00n, 130_00n],
      ["2000", -100_00n, -30_00n, -130_00n],
    ]);
    expect(summary.totals).toEqual({ opening: 0n, movement: 0n, closing: 0n });
    expect(summary.issues.map((issue) => issue.code)).toEqual(["OPENING_NOT_STATED"]);
    expect(summary.issues[0]!.message).toContain("closing − the stated movement for 2 account(s)");
  });

  it("keeps a stated opening of any account meaning: missing openings are 0 as before", () => {
    const summary = summarize([
      account("1920", { opening: 10_00n, closing: 30_00n }),
      account("3000", { closing: -30_00n }),
    ]);
    expect(summary.rows.map((row) => [row.account, row.opening, row.movement])).toEqual([
      ["1920", 10_00n, 20_00n],
      ["3000", 0n, -30_00n],
    ]);
    expect(summary.issues.map((issue) => issue.code)).not.toContain("OPENING_NOT_STATED");
  });

  it("keeps files with transactions as they were: an unstated opening is 0, the movement the transactions'", () => {
    const summarizer = new LedgerSummarizer();
    summarizer.add({ type: "header", header: { ...header, format: "sie" } });
    summarizer.add(account("1920", { closing: 50_00n }));
    summarizer.add(account("3000", { closing: -50_00n }));
    summarizer.add({
      type: "transaction",
      transaction: {
        id: "1",
        date: "2025-01-02",
        lines: [
          { account: "1920", amount: 50_00n },
          { account: "3000", amount: -50_00n },
        ],
      },
    });
    const summary = summarizer.finish();
    expect(summary.rows.map((row) => [row.opening, row.movement, row.closing])).toEqual([
      [0n, 50_00n, 50_00n],
      [0n, -50_00n, -50_00n],
    ]);
    expect(summary.issues).toEqual([]);
  });
});
