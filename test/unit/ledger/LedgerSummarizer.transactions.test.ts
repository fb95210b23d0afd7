import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LedgerSummarizer } from "../../../lib/ledger/summarizeLedger.ts";
import type { FileHeader, Transaction, TransactionLine } from "../../../lib/ledger/types.ts";

/**
 * The per-transaction fold of the ledger summary (its hot path) checked against a plain restatement of its rules:
 * side totals by the side the file states, else by sign; account debit/credit by sign; one VOUCHER_NOT_BALANCED
 * per voucher whose lines do not sum to zero, with the sum; TRANSACTION_OUTSIDE_PERIOD for dated vouchers outside
 * the period; first and last date as string order gives them, an empty first date giving way to the next one.
 */
const header: FileHeader = {
  format: "saft",
  formatVersion: "1.30",
  encoding: "utf-8",
  company: {},
  period: { start: "2025-01-01", end: "2025-12-31" },
  currency: "NOK",
};

const lineArbitrary: fc.Arbitrary<TransactionLine> = fc.record(
  {
    account: fc.constantFrom("1500", "1920", "2400", "3000", "11AF"),
    amount: fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
    side: fc.constantFrom<"debit" | "credit">("debit", "credit"),
  },
  { requiredKeys: ["account", "amount"] },
);

const transactionArbitrary: fc.Arbitrary<Transaction> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 4 }),
  date: fc.constantFrom("", "2024-12-31", "2025-01-01", "2025-06-30", "2025-12-31", "2026-01-01"),
  lines: fc.array(lineArbitrary, { maxLength: 5 }),
});

describe("LedgerSummarizer transaction statistics", () => {
  it("match a plain restatement of the rules for any run of transactions (property)", () => {
    fc.assert(
      fc.property(fc.array(transactionArbitrary, { maxLength: 40 }), (transactions) => {
        const summarizer = new LedgerSummarizer({ maxIssuesPerCode: 1000 });
        summarizer.add({ type: "header", header });
        for (const transaction of transactions) summarizer.add({ type: "transaction", transaction });
        const summary = summarizer.finish();

        let totalDebit = 0n;
        let totalCredit = 0n;
        let lines = 0;
        let firstDate: string | undefined;
        let lastDate: string | undefined;
        const posted = new Map<string, { debit: bigint; credit: bigint; lines: number }>();
        const unbalanced: Array<[string, bigint]> = [];
        const outside: string[] = [];
        for (const transaction of transactions) {
          let net = 0n;
          for (const line of transaction.lines) {
            lines++;
            net += line.amount;
            if ((line.side ?? (line.amount < 0n ? "credit" : "debit")) === "debit") totalDebit += line.amount;
            else totalCredit -= line.amount;
            const account = posted.get(line.account) ?? { debit: 0n, credit: 0n, lines: 0 };
            account.lines++;
            if (line.amount < 0n) account.credit -= line.amount;
            else account.debit += line.amount;
            posted.set(line.account, account);
          }
          if (net !== 0n) unbalanced.push([transaction.id, net]);
          if (!firstDate || transaction.date < firstDate) firstDate = transaction.date;
          if (!lastDate || transaction.date > lastDate) lastDate = transaction.date;
          if (transaction.date && (transaction.date < "2025-01-01" || transaction.date > "2025-12-31"))
            outside.push(transaction.id);
        }

        expect(summary.transactions).toEqual({
          count: transactions.length,
          lines,
          totalDebit,
          totalCredit,
          ...(firstDate !== undefined ? { firstDate } : {}),
          ...(lastDate !== undefined ? { lastDate } : {}),
        });
        for (const row of summary.rows) expect(row.posted).toEqual(posted.get(row.account));
        expect(summary.rows.map((row) => row.account).sort()).toEqual([...posted.keys()].sort());
        expect(
          summary.issues
            .filter((issue) => issue.code === "VOUCHER_NOT_BALANCED")
            .map((issue) => [issue.transactionId, issue.amount]),
        ).toEqual(unbalanced);
        expect(
          summary.issues
            .filter((issue) => issue.code === "TRANSACTION_OUTSIDE_PERIOD")
            .map((issue) => issue.transactionId),
        ).toEqual(outside);
      }),
      { numRuns: 300 },
    );
  });
});
