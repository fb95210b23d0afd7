import { describe, expect, it } from "vitest";
import { ownFixture, readBytes } from "../../../helpers/fixtures.ts";
import { account, parseBytes, summarize, sum } from "./saftTestHelpers.ts";

// Hand-written fixtures in test/fixtures/saft; figures checked with python3 + xml.etree (all three are consistent:
// Σ opening = Σ closing = 0 and opening + movement = closing for every account).
const read = async (name: string) => summarize(await parseBytes(await readBytes(ownFixture(`saft/${name}`))));

describe("SAF-T 1.20 file with n1: prefix (tiny-v120-prefixed.xml)", () => {
  it("reads the header with references resolved in the company name", async () => {
    const { header } = await read("tiny-v120-prefixed.xml");
    expect(header).toEqual({
      format: "saft",
      formatVersion: "1.20",
      encoding: "utf-8",
      company: { orgNumber: "912345678", name: "Fjordkafé & Bakeri AS" },
      period: { start: "2024-01-01", end: "2024-12-31" },
      currency: "NOK",
      software: { name: "Fjordregnskap (Fjordsoft AS)", version: "7.1" },
      createdAt: "2025-01-20",
    });
  });

  it("reads 5 accounts with StandardAccountID and balances summing to zero", async () => {
    const parsed = await read("tiny-v120-prefixed.xml");
    expect(parsed.accounts.map((a) => a.id)).toEqual(["1500", "1920", "2000", "2700", "3000"]);
    expect(account(parsed, "1920")).toMatchObject({
      opening: 5000000n,
      closing: 7250000n,
      mapping: { standardAccountId: "19" },
    });
    expect(account(parsed, "2700")).toMatchObject({ opening: 0n, closing: -250000n });
    expect(sum(parsed.accounts.map((a) => a.opening))).toBe(0n);
    expect(sum(parsed.accounts.map((a) => a.closing))).toBe(0n);
  });

  it("reads the 1.20 customer with AccountID and balances directly under Customer", async () => {
    const parsed = await read("tiny-v120-prefixed.xml");
    expect(parsed.parties).toEqual([
      {
        kind: "customer",
        id: "K1",
        name: "Kari Kunde",
        orgNumber: "987654321",
        balances: [{ account: "1500", opening: 1000000n, closing: 0n }],
        location: expect.any(Object),
      },
    ]);
  });

  it("reads 2 transactions with 5 lines, 35 000.00 each side, and the control totals", async () => {
    const parsed = await read("tiny-v120-prefixed.xml");
    expect(parsed.transactions).toHaveLength(2);
    expect(parsed.lineCount).toBe(5);
    expect(parsed.totalDebit).toBe(3500000n);
    expect(parsed.totalCredit).toBe(3500000n);
    expect(parsed.controlTotals).toEqual([
      { numberOfEntries: 2, totalDebit: 3500000n, totalCredit: 3500000n, location: expect.any(Object) },
    ]);
    expect(parsed.transactions[0]!.lines[1]).toEqual({
      recordId: "2",
      side: "credit",
      account: "3000",
      amount: -1000000n,
      description: "Catering",
      taxCode: "3",
      dimensions: [{ type: "AVD", id: "2" }],
    });
    expect(parsed.transactions[1]).toMatchObject({
      id: "102",
      journal: "GL",
      period: { year: 2024, number: 4 },
      date: "2024-04-02",
    });
    expect(parsed.transactions[1]!.lines[0]).toMatchObject({ date: "2024-04-03", amount: 2250000n });
  });

  it("detects 1.20 from StandardAccountID/TaxAmount/AnalysisAmount without any issue", async () => {
    const parsed = await read("tiny-v120-prefixed.xml");
    expect(parsed.header.formatVersion).toBe("1.20");
    expect(parsed.issues).toEqual([]);
  });
});

describe("SAF-T 1.30 file with default namespace (tiny-v130.xml)", () => {
  it("reads the period from SelectionStartDate/SelectionEndDate", async () => {
    const { header } = await read("tiny-v130.xml");
    expect(header).toMatchObject({
      formatVersion: "1.30",
      company: { orgNumber: "998877665", name: "Nordlys Regnskap AS" },
      period: { start: "2025-01-01", end: "2025-06-30" },
    });
  });

  it("reads GroupingCategory/GroupingCode mappings and balances", async () => {
    const parsed = await read("tiny-v130.xml");
    expect(account(parsed, "2710")).toMatchObject({
      name: "Inngående merverdiavgift",
      mapping: { groupingCategory: "kortsiktigGjeld", groupingCode: "2740", accountType: "GL" },
      opening: 0n,
      closing: 20000n,
    });
    expect(account(parsed, "2050")).toMatchObject({ opening: -100000n, closing: -100000n });
  });

  it("reads the supplier's BalanceAccount and resolves &amp; and &#xF8; in its name", async () => {
    const parsed = await read("tiny-v130.xml");
    expect(parsed.parties).toEqual([
      expect.objectContaining({
        kind: "supplier",
        id: "L1",
        name: "Kontor & Møbler AS",
        balances: [{ account: "2400", opening: 0n, closing: 0n }],
      }),
    ]);
  });

  it("reads CDATA descriptions, voucher types, several Analysis elements and foreign-currency amounts", async () => {
    const parsed = await read("tiny-v130.xml");
    const [first] = parsed.transactions;
    expect(first).toMatchObject({
      id: "IN-1",
      journal: "IN",
      voucherType: "IN",
      description: "Skrivebord & stol",
      entryDate: "2025-02-11",
    });
    expect(first!.lines[0]).toMatchObject({
      account: "6540",
      amount: 80000n,
      taxCode: "1",
      dimensions: [
        { type: "AVD", id: "10" },
        { type: "PRO", id: "P-7" },
      ],
    });
    expect(first!.lines[2]).toMatchObject({
      account: "2400",
      amount: -100000n,
      supplierId: "L1",
      date: "2025-02-12",
      currencyAmount: { currency: "EUR", amount: "88.50", exchangeRate: "11.2994" },
    });
    expect(parsed.lineCount).toBe(5);
    expect(parsed.totalDebit).toBe(200000n);
    expect(parsed.totalCredit).toBe(200000n);
    expect(parsed.issues).toEqual([]);
  });
});

describe("SAF-T declared ISO-8859-1 (latin1-v130.xml)", () => {
  it("decodes ø, å, Ø and Æ from Latin-1 bytes and reports the encoding", async () => {
    const parsed = await read("latin1-v130.xml");
    expect(parsed.header.encoding).toBe("iso-8859-1");
    expect(parsed.header.company.name).toBe("Bjørnøya Båtutleie AS");
    expect(account(parsed, "3100").name).toBe("Båtleie, særavgift");
    expect(parsed.transactions[0]!.description).toBe("Leie av robåt på Østre Æra");
  });

  it("counts columns in characters for Latin-1 too", async () => {
    const parsed = await read("latin1-v130.xml");
    expect(account(parsed, "1920").location).toMatchObject({ line: 26, column: 7 });
  });

  it("reads the figures: 3 accounts, 1 transaction of 250.50", async () => {
    const parsed = await read("latin1-v130.xml");
    expect(parsed.accounts).toHaveLength(3);
    expect(account(parsed, "1920").closing).toBe(75050n);
    expect(parsed.totalDebit).toBe(25050n);
    expect(parsed.totalCredit).toBe(25050n);
    expect(parsed.header.period).toEqual({ start: "2025-01-01", end: "2025-02-28" });
  });
});
