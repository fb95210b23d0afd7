import { describe, expect, it } from "vitest";
import { UnsupportedFormatError } from "../../../../lib/formats/errors.ts";
import { hasSharedFixtures, readBytes, sharedFixture } from "../../../helpers/fixtures.ts";
import { account, issueCodes, parseBytes, parseError, summarize, sum, type Parsed } from "./saftTestHelpers.ts";

// Expected figures were computed independently with python3 + xml.etree over the sample files, then written here as
// literals: `python3 scripts/oracles/saft_figures.py` prints the accounts, balances, sums, line counts and debit and
// credit totals. The other literals (names, ids, locations, issues) were read off the files by hand.
const sample = (name: string) => sharedFixture(`saft/samples/${name}`);
const read = async (name: string): Promise<Parsed> =>
  summarize(await parseBytes(await readBytes(sample(name)), [64 * 1024], name));

describe.skipIf(!hasSharedFixtures)(
  "SAF-T official example 888888888 (Tøyen Lekefabrikk, n1: prefix, BOM, CRLF)",
  () => {
    const file = "skatteetaten_ExampleFile_SAF-T_Financial_888888888_20180228235959.xml";

    it("reads the header: company, period from PeriodStart/End months, currency, software, creation date", async () => {
      const { header } = await read(file);
      expect(header.company).toEqual({ orgNumber: "888888888", name: "Tøyen Lekefabrikk AS" });
      expect(header.period).toEqual({ start: "2017-01-01", end: "2017-04-30" });
      expect(header.currency).toBe("NOK");
      expect(header.software).toEqual({ name: "N-SYS (Nøyaktig Regnskapssystem)", version: "12.002" });
      expect(header.createdAt).toBe("2018-01-10");
      expect(header.encoding).toBe("utf-8");
      expect(header.format).toBe("saft");
    });

    it("has 22 accounts whose openings sum to 2 545 410.00 and closings to 2 491 571.75", async () => {
      const parsed = await read(file);
      expect(parsed.accounts).toHaveLength(22);
      expect(sum(parsed.accounts.map((a) => a.opening))).toBe(254541000n);
      expect(sum(parsed.accounts.map((a) => a.closing))).toBe(249157175n);
    });

    it("reads specific balances, debit positive and credit negative", async () => {
      const parsed = await read(file);
      expect(account(parsed, "1920")).toMatchObject({
        name: "Bankinnskudd",
        opening: 37000000n,
        closing: 67056875n,
        mapping: { standardAccountId: "19", accountType: "GL" },
      });
      expect(account(parsed, "2400")).toMatchObject({ opening: -17500000n, closing: -21202500n });
      expect(account(parsed, "3000")).toMatchObject({ opening: 0n, closing: -231633800n });
      expect(account(parsed, "1900")).toMatchObject({ opening: 1200000n, closing: 1136750n });
      expect(account(parsed, "2000").location).toMatchObject({ line: expect.any(Number), column: 4 });
    });

    it("has 53 transactions with 170 lines, total debit = total credit = 9 487 049.35, matching the control totals", async () => {
      const parsed = await read(file);
      expect(parsed.transactions).toHaveLength(53);
      expect(parsed.lineCount).toBe(170);
      expect(parsed.totalDebit).toBe(948704935n);
      expect(parsed.totalCredit).toBe(948704935n);
      expect(parsed.controlTotals).toHaveLength(1);
      expect(parsed.controlTotals[0]).toMatchObject({
        numberOfEntries: 53,
        totalDebit: 948704935n,
        totalCredit: 948704935n,
      });
    });

    it("reads the first transaction with journal, period, dates, tax code, supplier and dimensions", async () => {
      const [first] = (await read(file)).transactions;
      expect(first).toMatchObject({
        id: "1001",
        journal: "123ABC",
        date: "2017-01-04",
        period: { year: 2017, number: 1 },
        description: "Faktura 1155 - Stoff til kosebamser",
        entryDate: "2017-01-05",
      });
      expect(first!.lines).toHaveLength(3);
      expect(first!.lines[0]).toMatchObject({
        recordId: "1",
        account: "4000",
        amount: 1000000n,
        taxCode: "1",
        dimensions: [
          { type: "A", id: "102" },
          { type: "P", id: "202" },
        ],
        date: "2017-01-04",
      });
      expect(first!.lines[1]).toMatchObject({ account: "2400", amount: -1250000n, supplierId: "2002" });
    });

    it("reads 6 customers and 6 suppliers with their 1.20-style AccountID and balances", async () => {
      const parsed = await read(file);
      expect(parsed.parties.filter((p) => p.kind === "customer")).toHaveLength(6);
      expect(parsed.parties.filter((p) => p.kind === "supplier")).toHaveLength(6);
      const supplier = parsed.parties.find((p) => p.id === "2001")!;
      expect(supplier).toMatchObject({
        kind: "supplier",
        name: "Børres Leketøysmaskiner",
        orgNumber: "988776652",
        balances: [{ account: "2400", opening: -620000n, closing: -2682500n }],
      });
    });

    it("detects the pre-1.30 family: 1.00 from the header hint at first, 1.20 once JournalID 123ABC contradicts 1.00", async () => {
      const parsed = await read(file);
      expect(parsed.header.formatVersion).toBe("1.00");
      const detected = parsed.issues.find((issue) => issue.code === "SAFT_VERSION_DETECTED")!;
      expect(detected.severity).toBe("info");
      expect(detected.message).toMatch(/SAF-T Financial 1\.20/);
      expect(detected.message).toMatch(/JournalID/);
      expect(issueCodes(parsed).sort()).toEqual(["SAFT_VERSION_DETECTED", "SAFT_VERSION_HINT_MISMATCH"]);
    });

    it("counts CRLF line ends once: the first Transaction starts on line 1100", async () => {
      // grep -n '<n1:Transaction>' → first at line 1100, column 4 (three tabs before it).
      const [first] = (await read(file)).transactions;
      expect(first!.location).toMatchObject({ line: 1100, column: 4 });
    });
  },
);

describe.skipIf(!hasSharedFixtures)("SAF-T official example 999999999 (2016, placeholder balances)", () => {
  const file = "skatteetaten_ExampleFile_SAF-T_Financial_999999999_20161125213512.xml";

  it("reads header, 4 accounts and their placeholder balances", async () => {
    const parsed = await read(file);
    expect(parsed.header).toMatchObject({
      company: { orgNumber: "999999999", name: "Selskapet AS" },
      period: { start: "2015-01-01", end: "2015-12-31" },
      currency: "NOK",
    });
    expect(parsed.accounts.map((a) => a.id)).toEqual(["1925", "2400", "2740", "4000"]);
    expect(account(parsed, "1925")).toMatchObject({ opening: 123456n, closing: 1234567n });
    expect(sum(parsed.accounts.map((a) => a.opening))).toBe(-123456n);
    expect(sum(parsed.accounts.map((a) => a.closing))).toBe(-1234567n);
  });

  it("has 2 transactions, 5 lines and 25 000.00 on each side, as declared", async () => {
    const parsed = await read(file);
    expect(parsed.transactions).toHaveLength(2);
    expect(parsed.lineCount).toBe(5);
    expect(parsed.totalDebit).toBe(2500000n);
    expect(parsed.totalCredit).toBe(2500000n);
    expect(parsed.controlTotals[0]).toMatchObject({ numberOfEntries: 2, totalDebit: 2500000n, totalCredit: 2500000n });
  });

  it("reports version 1.00: header says 1.0 and nothing contradicts it (JournalID A, StandardAccountID everywhere)", async () => {
    const parsed = await read(file);
    expect(parsed.header.formatVersion).toBe("1.00");
    expect(parsed.issues).toEqual([]);
  });
});

describe.skipIf(!hasSharedFixtures)("SAF-T 1.30 generated example (golden file)", () => {
  const file = "skatteetaten_v130_generated_auditfile_formatted_v_1.30.xml";

  it("is detected as 1.30 with no issues", async () => {
    const parsed = await read(file);
    expect(parsed.header.formatVersion).toBe("1.30");
    expect(parsed.issues).toEqual([]);
    expect(parsed.header).toMatchObject({
      company: { orgNumber: "999999999", name: "Company INC" },
      period: { start: "2025-01-01", end: "2025-12-31" },
      currency: "NOK",
      createdAt: "2026-02-03",
    });
  });

  it("reads the 7 closings of the v1.30 example and its GroupingCategory/Code mappings", async () => {
    const parsed = await read(file);
    const closings = Object.fromEntries(parsed.accounts.map((a) => [a.id, a.closing]));
    expect(closings).toEqual({
      "1500": 1250000n,
      "1920": -1250000n,
      "2400": 0n,
      "2700": -250000n,
      "2710": 250000n,
      "3000": -1000000n,
      "4000": 1000000n,
    });
    expect(sum(parsed.accounts.map((a) => a.opening))).toBe(0n);
    expect(account(parsed, "4000").mapping).toEqual({
      groupingCategory: "varekostnad",
      groupingCode: "4005",
      accountType: "GL",
    });
  });

  it("reads BalanceAccount balances of the customer and the supplier", async () => {
    const parsed = await read(file);
    expect(parsed.parties).toEqual([
      expect.objectContaining({
        kind: "customer",
        id: "15000",
        name: "Local Retail Inc",
        orgNumber: "922222229",
        balances: [{ account: "1500", opening: 0n, closing: 1250000n }],
      }),
      expect.objectContaining({
        kind: "supplier",
        id: "24000",
        name: "1001 Supplies Inc",
        balances: [{ account: "2400", opening: 0n, closing: 0n }],
      }),
    ]);
  });

  it("has 3 transactions, 8 lines, 37 500.00 each side; voucher type and analysis dimensions are read", async () => {
    const parsed = await read(file);
    expect(parsed.transactions.map((t) => t.id)).toEqual(["A1001", "A1002", "A1003"]);
    expect(parsed.lineCount).toBe(8);
    expect(parsed.totalDebit).toBe(3750000n);
    expect(parsed.totalCredit).toBe(3750000n);
    expect(parsed.controlTotals[0]).toMatchObject({ numberOfEntries: 3, totalDebit: 3750000n, totalCredit: 3750000n });
    const first = parsed.transactions[0]!;
    expect(first).toMatchObject({ voucherType: "PI", period: { year: 2025, number: 9 }, entryDate: "2025-09-27" });
    expect(first.lines[0]).toMatchObject({
      account: "4000",
      amount: 1000000n,
      taxCode: "10",
      dimensions: [{ type: "P", id: "2000" }],
      description: "Purchase of goods",
    });
    expect(parsed.transactions[1]!.lines[0]).toMatchObject({
      account: "3000",
      amount: -1000000n,
      taxCode: "30",
      quantity: "53",
    });
  });
});

describe.skipIf(!hasSharedFixtures)("SAF-T 1.40 generated example", () => {
  const file = "skatteetaten_v140_generated_auditfile_formatted_v_1.40.xml";

  it("emits the header as 1.30 (from the accounts) and then SAFT_VERSION_DETECTED naming 1.40 and its evidence", async () => {
    const parsed = await read(file);
    expect(parsed.header.formatVersion).toBe("1.30");
    expect(parsed.issues).toHaveLength(1);
    expect(parsed.issues[0]).toMatchObject({ severity: "info", code: "SAFT_VERSION_DETECTED" });
    expect(parsed.issues[0]!.message).toMatch(
      /1\.40 .*DebitNOKTaxAmount.*Country inside an amount structure.*more than one AccountID under an Owner/,
    );
  });

  it("has the same figures as the 1.30 example", async () => {
    const parsed = await read(file);
    expect(parsed.accounts).toHaveLength(7);
    expect(parsed.transactions).toHaveLength(3);
    expect(parsed.lineCount).toBe(8);
    expect(parsed.totalDebit).toBe(3750000n);
    expect(parsed.totalCredit).toBe(3750000n);
  });
});

describe.skipIf(!hasSharedFixtures)("SAF-T XMLSpy example without namespace", () => {
  const file = "skatteetaten_v130_Eksempelfil_fra_xmlSpy.xml";

  it("reads the unprefixed elements by local name and warns that they are in no namespace", async () => {
    const parsed = await read(file);
    const warning = parsed.issues.find((issue) => issue.code === "SAFT_NAMESPACE_MISSING")!;
    expect(warning).toMatchObject({ severity: "warning", location: { line: 3, column: 1 } });
    expect(warning.message).toMatch(/n1/);
    expect(parsed.header).toMatchObject({
      formatVersion: "1.30",
      company: { orgNumber: "a", name: "a" },
      period: { start: "1957-08-13", end: "1957-08-13" },
      currency: "aaa",
    });
  });

  it("has 1 account, 1 customer, 1 supplier, 1 transaction with 1 zero line", async () => {
    const parsed = await read(file);
    expect(parsed.accounts).toEqual([
      expect.objectContaining({
        id: "a",
        opening: 0n,
        closing: 0n,
        mapping: { groupingCategory: "a", groupingCode: "a", accountType: "GL" },
      }),
    ]);
    expect(parsed.parties.map((p) => p.kind)).toEqual(["customer", "supplier"]);
    expect(parsed.transactions).toHaveLength(1);
    expect(parsed.transactions[0]!.lines).toEqual([
      expect.objectContaining({
        account: "a",
        amount: 0n,
        customerId: "a",
        supplierId: "a",
        currencyAmount: { currency: "aaa", amount: "0", exchangeRate: "0" },
      }),
    ]);
    expect(parsed.controlTotals[0]).toMatchObject({ numberOfEntries: 0, totalDebit: 0n, totalCredit: 0n });
  });
});

describe.skipIf(!hasSharedFixtures)("SAF-T v2 draft workshop file (random values)", () => {
  const file = "skatteetaten_v2draft_workshop1_generated_auditfile_formatted.xml";

  it("is read without crashing: 1 account, 1 transaction with one credit line, declared totals kept as stated", async () => {
    const parsed = await read(file);
    expect(parsed.header.formatVersion).toBe("1.30");
    expect(parsed.header.currency).toBe("SEK");
    expect(parsed.accounts).toHaveLength(1);
    expect(parsed.transactions).toHaveLength(1);
    expect(parsed.transactions[0]!.lines.map((line) => line.amount)).toEqual([-148564936349305900n]);
    expect(parsed.transactions[0]!.period).toEqual({ year: 2017, number: 31 });
    expect(parsed.controlTotals[0]).toMatchObject({
      numberOfEntries: 83,
      totalDebit: 653184745177394800n,
      totalCredit: 843188634581357800n,
    });
    expect(issueCodes(parsed)).toEqual(["SAFT_VERSION_HINT_MISMATCH"]);
  });
});

describe.skipIf(!hasSharedFixtures)("SAF-T Cash Register example", () => {
  it("is refused as another format, naming Cash Register", async () => {
    const error = await parseError(
      await readBytes(sample("skatteetaten_ExampleFile_SAF-T_CashRegister_999999999_20210330104000.xml")),
    );
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.message).toMatch(/Cash Register/);
    expect(error.location).toMatchObject({ line: 2, column: 1 });
  });
});
