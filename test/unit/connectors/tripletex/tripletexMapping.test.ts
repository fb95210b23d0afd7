import { describe, expect, it } from "vitest";
import type { TripletexPosting } from "../../../../lib/connectors/tripletex/schemas.ts";
import { toAccount, toTransaction } from "../../../../lib/connectors/tripletex/tripletexMapping.ts";

const voucher = { id: 900, number: 17, year: 2025, description: "", voucherType: { name: "Leverandørfaktura" } };

function posting(overrides: Partial<TripletexPosting>): TripletexPosting {
  return { id: 1, date: "2025-03-03", amount: 0n, row: 1, voucher, account: { number: 1920 }, ...overrides };
}

describe("Tripletex postings to saldo transactions", () => {
  it("orders lines by row, numbers the voucher number-year, and takes the first posting's text when the voucher has none", () => {
    const transaction = toTransaction(
      [
        posting({
          id: 3,
          row: 2,
          amount: -125_000n,
          account: { number: 2400 },
          supplier: { id: 55, supplierNumber: 20001, name: "Lev AS" },
          description: "Faktura 4411",
        }),
        posting({
          id: 2,
          row: 1,
          amount: 100_000n,
          account: { number: 6540 },
          vatType: { id: 1, number: "1" },
          department: { id: 7, departmentNumber: "300" },
          project: { id: 8, number: "P-102" },
          description: "Inventar",
        }),
        posting({
          id: 4,
          row: 3,
          amount: 25_000n,
          account: { number: 2710 },
          freeAccountingDimension2: { id: 9, number: "K7" },
        }),
      ],
      "NOK",
    );
    expect(transaction).toEqual({
      id: "17-2025",
      date: "2025-03-03",
      description: "Inventar",
      voucherType: "Leverandørfaktura",
      lines: [
        {
          recordId: "2",
          account: "6540",
          amount: 100_000n,
          description: "Inventar",
          taxCode: "1",
          dimensions: [
            { type: "department", id: "300" },
            { type: "project", id: "P-102" },
          ],
        },
        { recordId: "3", account: "2400", amount: -125_000n, description: "Faktura 4411", supplierId: "20001" },
        { recordId: "4", account: "2710", amount: 25_000n, dimensions: [{ type: "dimension2", id: "K7" }] },
      ],
    });
  });

  it("keeps a foreign-currency amount, a line date that differs from the voucher's, and falls back to the voucher id", () => {
    const transaction = toTransaction(
      [
        posting({
          id: 1,
          voucher: { id: 901 },
          amount: 1_150_000n,
          amountCurrency: 100_000n,
          currency: { code: "EUR" },
          account: { number: 1500 },
          customer: { id: 12 },
        }),
        posting({
          id: 2,
          row: 2,
          voucher: { id: 901 },
          date: "2025-03-04",
          amount: -1_150_000n,
          amountCurrency: -1_150_000n,
          currency: { code: "NOK" },
          account: { number: 3000 },
        }),
      ],
      "NOK",
    );
    expect(transaction.id).toBe("id-901");
    expect(transaction.lines[0]).toEqual({
      recordId: "1",
      account: "1500",
      amount: 1_150_000n,
      currencyAmount: { currency: "EUR", amount: "1000.00" },
      customerId: "12",
    });
    expect(transaction.lines[1]).toMatchObject({ date: "2025-03-04" });
    expect(transaction.lines[1]!.currencyAmount).toBeUndefined();
  });

  it("takes an account's figures from the balance sheet as reported, and its codes from the chart", () => {
    const account = toAccount(
      { id: 5, number: 2050, name: "Annen egenkapital", type: "EQUITY", saftCode: "2050", groupingCode: "2050" },
      { account: { number: 2050 }, balanceIn: -60_000n, balanceChange: 0n, balanceOut: -60_000n },
    );
    expect(account).toEqual({
      id: "2050",
      name: "Annen egenkapital",
      mapping: { standardAccountId: "2050", groupingCode: "2050", accountType: "EQUITY" },
      opening: -60_000n,
      movement: 0n,
      closing: -60_000n,
    });
    expect(toAccount({ id: 6, number: 1250, name: "Inventar" }, undefined)).toEqual({
      id: "1250",
      name: "Inventar",
      mapping: {},
    });
  });
});
