import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LedgerSummarizer } from "../../../lib/ledger/summarizeLedger.ts";
import type { Account, FileHeader, Transaction } from "../../../lib/ledger/types.ts";
import type { ImportRecord } from "../../../lib/ledger/records.ts";

const header: FileHeader = {
  format: "saft",
  formatVersion: "1.30",
  encoding: "utf-8",
  company: { orgNumber: "999999999", name: "Test AS" },
  period: { start: "2025-01-01", end: "2025-12-31" },
  currency: "NOK",
};

function account(id: string, opening?: bigint, closing?: bigint, extra: Partial<Account> = {}): ImportRecord {
  return {
    type: "account",
    account: {
      id,
      name: `Account ${id}`,
      mapping: {},
      ...(opening !== undefined ? { opening } : {}),
      ...(closing !== undefined ? { closing } : {}),
      ...extra,
    },
  };
}

function transaction(
  id: string,
  date: string,
  lines: Array<[string, bigint]>,
  extra: Partial<Transaction> = {},
): ImportRecord {
  return {
    type: "transaction",
    transaction: { id, date, lines: lines.map(([acc, amount]) => ({ account: acc, amount })), ...extra },
  };
}

function summarize(records: ImportRecord[]) {
  const summarizer = new LedgerSummarizer();
  summarizer.add({ type: "header", header });
  for (const record of records) summarizer.add(record);
  return summarizer.finish();
}

const codes = (summary: ReturnType<typeof summarize>) => summary.issues.map((issue) => issue.code);

describe("trial balance", () => {
  it("takes opening and closing as stated and movement from the transactions", () => {
    const summary = summarize([
      account("1920", 100_00n, 150_00n),
      account("3000", 0n, -50_00n),
      account("2000", -100_00n, -100_00n),
      transaction("1", "2025-03-01", [
        ["1920", 50_00n],
        ["3000", -50_00n],
      ]),
    ]);
    const bank = summary.rows.find((row) => row.account === "1920")!;
    expect([bank.opening, bank.movement, bank.closing]).toEqual([100_00n, 50_00n, 150_00n]);
    expect(summary.totals).toEqual({ opening: 0n, movement: 0n, closing: 0n });
    expect(summary.issues).toEqual([]);
    expect(summary.transactions).toMatchObject({ count: 1, lines: 2, totalDebit: 50_00n, totalCredit: 50_00n });
  });

  it("derives movement from closing − opening when the file has no transactions", () => {
    const summary = summarize([account("1920", 100_00n, 130_00n), account("2000", -100_00n, -130_00n)]);
    expect(summary.rows.map((row) => row.movement)).toEqual([30_00n, -30_00n]);
    expect(summary.issues).toEqual([]);
  });

  it("treats an unstated opening as zero and an unstated closing as opening + movement", () => {
    const summary = summarize([
      account("1920"),
      account("3000"),
      transaction("1", "2025-01-10", [
        ["1920", 10_00n],
        ["3000", -10_00n],
      ]),
    ]);
    expect(summary.rows.map((row) => [row.account, row.opening, row.movement, row.closing])).toEqual([
      ["1920", 0n, 10_00n, 10_00n],
      ["3000", 0n, -10_00n, -10_00n],
    ]);
  });

  it("sorts accounts numerically", () => {
    const summary = summarize([account("300"), account("1920"), account("20")]);
    expect(summary.rows.map((row) => row.account)).toEqual(["20", "300", "1920"]);
  });

  it("keeps both figures and reports when opening + movement ≠ stated closing", () => {
    const summary = summarize([
      account("1920", 100_00n, 200_00n),
      account("3000", 0n, -50_00n),
      transaction("1", "2025-03-01", [
        ["1920", 50_00n],
        ["3000", -50_00n],
      ]),
    ]);
    const bank = summary.rows.find((row) => row.account === "1920")!;
    expect(bank.closing).toBe(200_00n);
    expect(bank.movement).toBe(50_00n);
    const mismatch = summary.issues.find((issue) => issue.code === "CLOSING_MISMATCH")!;
    expect(mismatch).toMatchObject({ account: "1920", amount: 50_00n, severity: "warning" });
  });

  it("reports a stated movement that disagrees with the transactions", () => {
    const summary = summarize([
      account("1920", 0n, 10_00n, { movement: 20_00n }),
      account("3000", 0n, -10_00n),
      transaction("1", "2025-03-01", [
        ["1920", 10_00n],
        ["3000", -10_00n],
      ]),
    ]);
    expect(summary.issues).toEqual([
      expect.objectContaining({ code: "MOVEMENT_MISMATCH", account: "1920", amount: 10_00n }),
    ]);
  });

  it("says a closing of 0 is the file's omission, not a stated 0.00, when the account marks it implied", () => {
    const lines: Array<[string, bigint]> = [
      ["1920", 50_00n],
      ["3000", -50_00n],
    ];
    const implied = summarize([
      account("1920", 100_00n, 0n, { impliedClosing: true }),
      transaction("1", "2025-03-01", lines),
    ]);
    const stated = summarize([account("1920", 100_00n, 0n), transaction("1", "2025-03-01", lines)]);
    const mismatch = (summary: ReturnType<typeof summarize>) =>
      summary.issues.find((issue) => issue.code === "CLOSING_MISMATCH")!;
    expect(mismatch(implied)).toMatchObject({ account: "1920", amount: -150_00n });
    expect(mismatch(implied).message).toMatch(/the file gives no closing balance, which makes it 0\.00/);
    expect(mismatch(implied).message).not.toMatch(/states/);
    expect(mismatch(stated).message).toMatch(/the file states closing 0\.00/);
  });
});

describe("validation report", () => {
  it("reports opening and closing sides that do not sum to zero", () => {
    const summary = summarize([account("1920", 100_00n, 100_00n)]);
    expect(summary.issues.filter((i) => i.code.endsWith("NOT_BALANCED"))).toEqual([
      expect.objectContaining({ code: "OPENING_NOT_BALANCED", amount: 100_00n }),
      expect.objectContaining({ code: "CLOSING_NOT_BALANCED", amount: 100_00n }),
    ]);
  });

  it("reports a voucher whose lines do not balance, with its id, difference and position", () => {
    const summary = summarize([
      account("1920"),
      account("3000"),
      transaction(
        "V7",
        "2025-02-01",
        [
          ["1920", 10_00n],
          ["3000", -9_99n],
        ],
        { location: { line: 40, column: 3 } },
      ),
    ]);
    expect(summary.issues).toContainEqual(
      expect.objectContaining({
        code: "VOUCHER_NOT_BALANCED",
        transactionId: "V7",
        amount: 1n,
        location: { line: 40, column: 3 },
      }),
    );
  });

  it("compares declared control totals with the computed ones, by side", () => {
    const summary = summarize([
      account("1920"),
      account("3000"),
      { type: "controlTotals", controlTotals: { numberOfEntries: 2, totalDebit: 10_00n, totalCredit: 11_00n } },
      {
        type: "transaction",
        transaction: {
          id: "1",
          date: "2025-01-01",
          lines: [
            { account: "1920", amount: 10_00n, side: "debit" },
            { account: "3000", amount: -10_00n, side: "credit" },
          ],
        },
      },
    ]);
    expect(codes(summary)).toEqual(["CONTROL_ENTRIES_MISMATCH", "CONTROL_CREDIT_MISMATCH"]);
    expect(summary.issues[1]!.amount).toBe(1_00n);
  });

  it("counts a negative debit amount on the debit side, as SAF-T TotalDebit does", () => {
    const summary = summarize([
      { type: "controlTotals", controlTotals: { numberOfEntries: 1, totalDebit: -5_00n, totalCredit: -5_00n } },
      {
        type: "transaction",
        transaction: {
          id: "1",
          date: "2025-01-01",
          lines: [
            { account: "1920", amount: -5_00n, side: "debit" },
            { account: "3000", amount: 5_00n, side: "credit" },
          ],
        },
      },
    ]);
    expect(codes(summary)).not.toContain("CONTROL_DEBIT_MISMATCH");
    expect(codes(summary)).not.toContain("CONTROL_CREDIT_MISMATCH");
  });

  it("reports lines on accounts missing from the chart, once per account", () => {
    const summary = summarize([
      account("1920"),
      transaction("1", "2025-01-01", [
        ["1920", 5_00n],
        ["9999", -5_00n],
      ]),
      transaction("2", "2025-01-02", [
        ["1920", 5_00n],
        ["9999", -5_00n],
      ]),
    ]);
    const missing = summary.issues.filter((issue) => issue.code === "ACCOUNT_NOT_IN_CHART");
    expect(missing).toEqual([expect.objectContaining({ account: "9999", amount: -10_00n })]);
    expect(summary.rows.find((row) => row.account === "9999")?.inChart).toBe(false);
  });

  it("reports duplicate accounts and keeps the first definition", () => {
    const summary = summarize([
      account("1920", 1_00n, 1_00n),
      account("1920", 7_00n, 7_00n),
      account("2000", -1_00n, -1_00n),
    ]);
    expect(codes(summary)).toEqual(["DUPLICATE_ACCOUNT"]);
    expect(summary.rows.find((row) => row.account === "1920")!.closing).toBe(1_00n);
  });

  it("reports transactions dated outside the period", () => {
    const summary = summarize([
      transaction("1", "2024-12-31", [
        ["1920", 1n],
        ["3000", -1n],
      ]),
      transaction("2", "2025-06-30", [
        ["1920", 1n],
        ["3000", -1n],
      ]),
    ]);
    expect(summary.issues.filter((i) => i.code === "TRANSACTION_OUTSIDE_PERIOD").map((i) => i.transactionId)).toEqual([
      "1",
    ]);
  });

  it("compares customer balances with their ledger account", () => {
    const summary = summarize([
      account("1500", 0n, 300_00n),
      account("1920", 0n, -300_00n),
      {
        type: "party",
        party: {
          kind: "customer",
          id: "K1",
          name: "A",
          balances: [{ account: "1500", opening: 0n, closing: 100_00n }],
        },
      },
      {
        type: "party",
        party: {
          kind: "customer",
          id: "K2",
          name: "B",
          balances: [{ account: "1500", opening: 0n, closing: 150_00n }],
        },
      },
    ]);
    expect(summary.issues).toEqual([
      expect.objectContaining({ code: "SUBLEDGER_MISMATCH", account: "1500", amount: 50_00n }),
    ]);
    expect(summary.parties).toEqual({ customers: 2, suppliers: 0 });
  });

  it("bounds the report: issues beyond the cap are counted, not listed", () => {
    const summarizer = new LedgerSummarizer({ maxIssuesPerCode: 3 });
    summarizer.add({ type: "header", header });
    for (let i = 0; i < 10; i++) {
      summarizer.add(transaction(`T${i}`, "2025-01-01", [["1920", 1n]]));
    }
    const summary = summarizer.finish();
    expect(summary.issues.filter((i) => i.code === "VOUCHER_NOT_BALANCED")).toHaveLength(3);
    expect(summary.issues).toContainEqual(
      expect.objectContaining({ code: "ISSUES_TRUNCATED", message: expect.stringContaining("7 more") }),
    );
  });
});

describe("invariants", () => {
  const accountIds = fc.constantFrom("1500", "1920", "2400", "2700", "3000", "4000", "6300");
  const balancedVoucher = fc
    .array(fc.tuple(accountIds, fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n })), { minLength: 1, maxLength: 6 })
    .chain((lines) =>
      accountIds.map((balancing): Array<[string, bigint]> => [
        ...lines,
        [balancing, -lines.reduce((sum, [, amount]) => sum + amount, 0n)],
      ]),
    );

  const statedAccount = fc.record({
    id: accountIds,
    opening: fc.option(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), { nil: undefined }),
    closing: fc.option(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), { nil: undefined }),
  });

  it("gives the same summary whether the accounts come before, between or after the transactions", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(statedAccount, { selector: (a) => a.id, maxLength: 7 }),
        fc.array(balancedVoucher, { maxLength: 10 }),
        fc.array(fc.nat()),
        (accounts, vouchers, positions) => {
          const accountRecords = accounts.map((a) => account(a.id, a.opening, a.closing));
          const transactions = vouchers.map((lines, i) => transaction(String(i), "2025-05-05", lines));
          const before = summarize([...accountRecords, ...transactions]);
          // Each account record put at some position among the transactions (SIE: balances anywhere in group 4).
          const mixed = [...transactions];
          accountRecords.forEach((record, i) => mixed.splice((positions[i] ?? 0) % (mixed.length + 1), 0, record));
          const after = summarize(mixed);
          expect(after.rows).toEqual(before.rows);
          expect(after.totals).toEqual(before.totals);
          expect(after.issues.map((issue) => [issue.code, issue.account, issue.amount])).toEqual(
            before.issues.map((issue) => [issue.code, issue.account, issue.amount]),
          );
          for (const side of ["opening", "movement", "closing"] as const) {
            // A total is the sum of the rows, or unknown (null) when any row's figure is unknown.
            const figures = after.rows.map((row) => row[side]);
            const expected = figures.some((figure) => figure === null)
              ? null
              : figures.reduce<bigint>((sum, figure) => sum + (figure ?? 0n), 0n);
            expect(after.totals[side]).toBe(expected);
          }
        },
      ),
    );
  });

  it("a trial balance built from balanced vouchers sums to zero and reports no imbalance", () => {
    fc.assert(
      fc.property(fc.array(balancedVoucher, { maxLength: 30 }), (vouchers) => {
        const summary = summarize(vouchers.map((lines, i) => transaction(String(i), "2025-05-05", lines)));
        expect(summary.totals.movement).toBe(0n);
        expect(summary.totals.closing).toBe(0n);
        expect(summary.transactions.totalDebit).toBe(summary.transactions.totalCredit);
        expect(codes(summary)).not.toContain("VOUCHER_NOT_BALANCED");
      }),
    );
  });
});
