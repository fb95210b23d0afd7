import { describe, expect, it } from "vitest";
import {
  accountOf,
  detectResultBalanceMode,
  isResultAccount,
  vouchersOf,
  type AccountFigures,
  type PostingRow,
} from "../../../../lib/connectors/powerofficeGo/mapPowerOfficeGo.ts";
import { monthWindows, splitWindow, fiscalYearStartOf } from "../../../../lib/connectors/powerofficeGo/dates.ts";
import { laterTimestamp, timestampMicros } from "../../../../lib/connectors/powerofficeGo/powerOfficeTimestamp.ts";
import { readProblemDetails } from "../../../../lib/connectors/powerofficeGo/schemas.ts";
import { collect } from "../../../helpers/fixtures.ts";

function row(voucher: number, accountNo: number, amount: bigint, extra: Partial<PostingRow> = {}): PostingRow {
  return {
    Id: voucher * 10 + accountNo,
    AccountNo: accountNo,
    Amount: amount,
    PostingDate: "2025-03-01",
    VoucherNo: voucher,
    VoucherId: `v${voucher}`,
    ...extra,
  };
}

async function* pages(...list: PostingRow[][]) {
  yield* list;
}

describe("PowerOffice Go mapping", () => {
  it("groups consecutive postings of a voucher into one transaction, across pages", async () => {
    const split: number[] = [];
    const transactions = await collect(
      vouchersOf(
        pages([row(1, 1920, 125n), row(1, 3000, -100n)], [row(1, 2700, -25n), row(2, 6300, 50n), row(2, 1920, -50n)]),
        "NOK",
        (no) => split.push(no),
      ),
    );
    expect(transactions.map((transaction) => [transaction.id, transaction.lines.map((line) => line.account)])).toEqual([
      ["1", ["1920", "3000", "2700"]],
      ["2", ["6300", "1920"]],
    ]);
    expect(split).toEqual([]);
  });

  it("reports a voucher whose postings come apart, without merging or dropping lines", async () => {
    const split: number[] = [];
    const transactions = await collect(
      vouchersOf(pages([row(1, 1920, 10n), row(2, 1920, 5n), row(1, 3000, -10n), row(2, 3000, -5n)]), "NOK", (no) =>
        split.push(no),
      ),
    );
    expect(transactions.flatMap((transaction) => transaction.lines)).toHaveLength(4);
    expect(split).toEqual([1, 2]);
  });

  it("keeps a foreign-currency amount as the decimal the API sent, and the posting date when it differs", async () => {
    const [transaction] = await collect(
      vouchersOf(
        pages([
          row(3, 1500, 1000n, { CurrencyCode: "EUR", CurrencyAmount: 85.1234, VoucherDate: "2025-02-28" }),
          row(3, 3000, -1000n),
        ]),
        "NOK",
        () => {},
      ),
    );
    expect(transaction!.date).toBe("2025-02-28");
    expect(transaction!.lines[0]).toMatchObject({
      currencyAmount: { currency: "EUR", amount: "85.1234" },
      date: "2025-03-01",
    });
  });

  it("tells restarting from cumulative result balances by the postings, and sets IB/UB accordingly", () => {
    const sales = (before: bigint, atEnd: bigint): AccountFigures => ({
      accountNo: 3000,
      name: "Salg",
      type: "Income",
      before,
      atEnd,
      movement: -500n,
    });
    expect(detectResultBalanceMode([sales(-900n, -500n)])).toBe("restart");
    expect(detectResultBalanceMode([sales(-900n, -1400n)])).toBe("cumulative");
    expect(detectResultBalanceMode([sales(0n, -500n)])).toBeUndefined();
    expect(accountOf(sales(-900n, -1400n), true, "cumulative")).toMatchObject({ opening: 0n, closing: -500n });
    expect(accountOf(sales(-900n, -500n), true, "restart")).toMatchObject({ opening: 0n, closing: -500n });
    expect(accountOf(sales(-900n, -1400n), false, "restart")).toMatchObject({ opening: -900n, closing: -1400n });
    const bank: AccountFigures = {
      accountNo: 1920,
      name: "Bank",
      type: "Asset",
      before: 700n,
      atEnd: 900n,
      movement: 200n,
    };
    expect(accountOf(bank, true, "cumulative")).toMatchObject({ opening: 700n, closing: 900n });
  });

  it("counts 8800/8960 typed as equity among the result accounts (NS 4102 numbers)", () => {
    expect(isResultAccount(8800, "Equity")).toBe(true);
    expect(isResultAccount(2050, "Equity")).toBe(false);
    expect(isResultAccount(1920, undefined)).toBe(false);
    expect(isResultAccount(3000, undefined)).toBe(true);
  });
});

describe("PowerOffice Go helpers", () => {
  it("reads ProblemDetails whatever the key casing", () => {
    expect(readProblemDetails({ Title: "A", Detail: "B", Status: 403 })).toEqual({
      title: "A",
      detail: "B",
      status: 403,
    });
    expect(readProblemDetails({ title: "A", detail: "B", status: 429 })).toEqual({
      title: "A",
      detail: "B",
      status: 429,
    });
    expect(readProblemDetails("text")).toEqual({});
  });

  it("compares timestamps at microsecond precision, with space or T and any offset", () => {
    expect(timestampMicros("2021-09-30 08:03:00.123456+00:00")! - timestampMicros("2021-09-30T08:03:00.123455Z")!).toBe(
      1n,
    );
    expect(timestampMicros("2021-09-30 10:03:00+02:00")).toBe(timestampMicros("2021-09-30T08:03:00Z"));
    expect(laterTimestamp("2021-09-30 08:03:00.123456+00:00", "2021-09-30 08:03:00.123457+00:00")).toBe(
      "2021-09-30 08:03:00.123457+00:00",
    );
    expect(timestampMicros("not a time")).toBeUndefined();
  });

  it("cuts periods into calendar months, halves windows, and finds the fiscal year's start", () => {
    expect(monthWindows({ start: "2025-01-15", end: "2025-03-10" })).toEqual([
      { start: "2025-01-15", end: "2025-01-31" },
      { start: "2025-02-01", end: "2025-02-28" },
      { start: "2025-03-01", end: "2025-03-10" },
    ]);
    expect(splitWindow({ start: "2024-02-01", end: "2024-02-29" })).toEqual([
      { start: "2024-02-01", end: "2024-02-14" },
      { start: "2024-02-15", end: "2024-02-29" },
    ]);
    expect(splitWindow({ start: "2024-02-01", end: "2024-02-01" })).toBeUndefined();
    expect(fiscalYearStartOf("2025-03-31", 12)).toBe("2025-01-01");
    expect(fiscalYearStartOf("2025-03-31", 6)).toBe("2024-07-01");
    expect(fiscalYearStartOf("2025-07-01", 6)).toBe("2025-07-01");
  });
});
