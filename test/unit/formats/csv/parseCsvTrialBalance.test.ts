import fc from "fast-check";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { AmbiguousLayoutError, MalformedInputError } from "../../../../lib/formats/errors.ts";
import { CsvLayoutOptionError } from "../../../../lib/formats/csv/errors.ts";
import { ownFixture, readBytes } from "../../../helpers/fixtures.ts";
import { asExpected, parseBytes, parseText, readExpected, total } from "./csvTestSupport.ts";

const FULL = ["opening", "movement", "closing"] as const;

async function fixture(name: string) {
  const path = ownFixture(`csv/${name}`);
  return { expected: readExpected(path), parsed: await parseBytes(await readBytes(path), { fileName: name }) };
}

describe("parseCsvTrialBalance on saldo's own fixtures", () => {
  it.each([
    ["report_preamble_subtotals.csv", "semicolon/decimal-comma/header", "utf-8"],
    ["latin1_dot_grouping.csv", "semicolon/decimal-comma/header", "windows-1252"],
    ["negatives_parens_trailing_minus.csv", "semicolon/decimal-comma/header", "utf-8"],
    ["english_split_debit_credit.csv", "comma/decimal-point/header", "utf-8"],
  ])("%s: every figure matches the expected JSON", async (name, dialect, encoding) => {
    const { expected, parsed } = await fixture(name);
    expect(parsed.header).toMatchObject({ formatVersion: dialect, encoding });
    expect(asExpected(parsed.accounts, [...FULL])).toEqual(expected.accounts);
    expect({
      opening: total(parsed.accounts, "opening"),
      movement: total(parsed.accounts, "movement"),
      closing: total(parsed.accounts, "closing"),
    }).toEqual(expected.totals);
  });

  it.each([
    ["utf16le_bom_tab.txt", "tab/decimal-comma/header", "utf-16le"],
    ["windows1252_names.csv", "semicolon/decimal-comma/header", "windows-1252"],
  ])(
    "%s: closing-only file matches the expected JSON and leaves opening/movement undefined",
    async (name, dialect, encoding) => {
      const { expected, parsed } = await fixture(name);
      expect(parsed.header).toMatchObject({ formatVersion: dialect, encoding });
      expect(asExpected(parsed.accounts, [...FULL])).toEqual(expected.accounts);
      expect(parsed.accounts.every((account) => account.opening === undefined && account.movement === undefined)).toBe(
        true,
      );
    },
  );

  it("report export: reads company, org number and period from the preamble", async () => {
    const { parsed } = await fixture("report_preamble_subtotals.csv");
    expect(parsed.header.company).toEqual({ orgNumber: "999888777", name: "Tøyen Testfirma AS" });
    expect(parsed.header.period).toEqual({ start: "2023-01-01", end: "2023-12-31" });
  });

  it("report export: skips preamble, subtotal, total and blank rows with one summary issue", async () => {
    const { parsed } = await fixture("report_preamble_subtotals.csv");
    const skipped = parsed.issues.filter((issue) => issue.code === "CSV_ROWS_SKIPPED");
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ severity: "info", location: { line: 1, column: 1 } });
    expect(skipped[0]!.message).toContain("4 title/preamble lines before the header");
    expect(skipped[0]!.message).toContain("3 sum/total rows (first at line 9)");
    expect(skipped[0]!.message).toContain("1 blank rows (first at line 10)");
  });

  it("report export: keeps the sub-account 1920:10008 as its own account id", async () => {
    const { parsed } = await fixture("report_preamble_subtotals.csv");
    expect(parsed.accounts.find((account) => account.id === "1920:10008")).toMatchObject({
      closing: 123456n,
      location: { line: 8, column: 1 },
    });
  });

  it("report export: reads a blank IB cell as 0 and reports the unused prior-year column", async () => {
    const { parsed } = await fixture("report_preamble_subtotals.csv");
    expect(parsed.accounts.find((account) => account.id === "3000")).toMatchObject({
      opening: 0n,
      movement: -123456789n,
    });
    expect(parsed.issues.find((issue) => issue.code === "CSV_COLUMNS_IGNORED")).toMatchObject({
      location: { line: 5, column: 6 },
    });
  });

  it("negatives: reads (…) and trailing-minus amounts as credit", async () => {
    const { parsed } = await fixture("negatives_parens_trailing_minus.csv");
    expect(parsed.accounts.find((account) => account.id === "2000")?.closing).toBe(-22500000n);
    expect(parsed.accounts.find((account) => account.id === "2400")?.closing).toBe(-55050331n);
  });

  it("English split layout: nets Opening/Closing Debit and Credit", async () => {
    const { parsed } = await fixture("english_split_debit_credit.csv");
    expect(parsed.accounts.find((account) => account.id === "3000")).toMatchObject({
      name: "Salgsinntekt, avgiftspliktig",
      opening: 0n,
      movement: -123456789n,
      closing: -123456789n,
    });
  });

  it("windows-1252 file: decodes æøå/ÆØÅ names and says the encoding was guessed", async () => {
    const { parsed } = await fixture("windows1252_names.csv");
    expect(parsed.accounts[0]!.name).toBe("Kundefordringer Æra Ørsta Åsane");
    expect(parsed.issues.map((issue) => issue.code)).toContain("CSV_ENCODING_GUESSED");
  });

  it("says once that the currency is assumed to be NOK", async () => {
    const { parsed } = await fixture("utf16le_bom_tab.txt");
    expect(parsed.issues.filter((issue) => issue.code === "CSV_CURRENCY_ASSUMED")).toEqual([
      { severity: "info", code: "CSV_CURRENCY_ASSUMED", message: expect.stringContaining("NOK") },
    ]);
  });

  it.each(["report_preamble_subtotals.csv", "utf16le_bom_tab.txt", "english_split_debit_credit.csv"])(
    "%s: gives identical records however the bytes are chunked",
    async (name) => {
      const bytes = await readBytes(ownFixture(`csv/${name}`));
      const whole = await parseBytes(bytes);
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 30 }), async (sizes) => {
          expect((await parseBytes(bytes, {}, sizes)).records).toEqual(whole.records);
        }),
        { numRuns: 50, examples: [[[1]], [[3]]] },
      );
    },
  );
});

describe("parseCsvTrialBalance ambiguous layouts", () => {
  it("refuses a headerless file with two amount columns, saying what it found and how to pass the layout", async () => {
    const bytes = await readBytes(ownFixture("csv/ambiguous_no_header_two_amounts.csv"));
    const error = await parseBytes(bytes, { fileName: "amb.csv" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AmbiguousLayoutError);
    const message = (error as Error).message;
    expect(message).toContain("found 2 amount columns");
    expect(message).toContain("columns guessed: 0=account, 1=text, 2=amount, 3=amount");
    expect(message).toContain('["1500", "Kundefordringer", "15 000,00", "103 700,00"]');
    expect(message).toContain('--columns account=0,name=1,closing=2 --delimiter ";" --decimal ","');
    // It names where the layout can be given: both commands and the uploads API's field.
    expect(message).toContain("`saldo inspect <file>` and `saldo upload <file>` take");
    expect(message).toContain(
      '"layout": {"delimiter": ";", "decimal": ",", "headerRow": 3 | "none", "columns": {"account": 0, "name": 1, "closing": 2}}',
    );
  });

  it("reads the same file once the columns are given", async () => {
    const bytes = await readBytes(ownFixture("csv/ambiguous_no_header_two_amounts.csv"));
    const { accounts, header } = await parseBytes(bytes, {
      headerRow: "none",
      columns: { account: 0, name: 1, opening: 2, closing: 3 },
    });
    expect(header.formatVersion).toBe("semicolon/decimal-comma/no-header");
    expect(accounts[0]).toMatchObject({ id: "1500", opening: 1500000n, closing: 10370000n });
    expect(accounts[0]!.movement).toBeUndefined();
    expect(total(accounts, "closing")).toBe("0.00");
  });

  it("refuses a tie between delimiters and lists the candidates with their counts", async () => {
    const error = await parseText("1500;2,00\n1920\t3,00\n").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AmbiguousLayoutError);
    expect((error as Error).message).toContain(
      'cannot choose the delimiter: ";" and "\\t" fit equally well (";": 1 account rows; ",": 0 account rows; "\\t": 1 account rows)',
    );
  });

  it("refuses a header without an account column and shows the header cells", async () => {
    const error = await parseText("Merknad;Navn;IB;UB\n1500;Bank;1,00;2,00\n").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AmbiguousLayoutError);
    expect((error as Error).message).toContain("line 1 looks like a header but has no recognisable account column");
    expect((error as Error).message).toContain(
      '["Merknad", "Navn", "IB", "UB"] read as ["?", "name", "opening", "closing"]',
    );
  });

  it("refuses mixed decimal separators", async () => {
    const error = await parseText("Konto;Saldo\n1500;1 234,50\n1920;1,234.50\n").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AmbiguousLayoutError);
    expect((error as Error).message).toContain("cannot decide the decimal separator");
  });

  it("refuses two header cells with the same meaning", async () => {
    const error = await parseText("Konto;Saldo;UB\n1500;1,00;1,00\n").catch((caught: unknown) => caught);
    expect((error as Error).message).toContain("both read as closing");
  });
});

describe("parseCsvTrialBalance explicit layout", () => {
  it("maps columns by header text and honours the decimal override", async () => {
    const { accounts, header } = await parseText("Nr;Tekst;Beløp A;Beløp B\n1500;Kunder;1.234;2.000\n", {
      delimiter: ";",
      decimal: ".",
      columns: { account: "nr", name: "TEKST", closing: "Beløp B" },
    });
    expect(header.formatVersion).toBe("semicolon/decimal-point/header");
    expect(accounts).toEqual([
      { id: "1500", name: "Kunder", mapping: {}, closing: 200n, location: { line: 2, column: 1 } },
    ]);
  });

  it("uses an explicit header row line", async () => {
    const { accounts } = await parseText("Rapport\nKonto;Saldo\nA;B\nKonto;Saldo\n1500;5,00\n", { headerRow: 4 });
    expect(accounts.map((account) => [account.id, account.closing])).toEqual([["1500", 500n]]);
  });

  it("rejects a header text that no header cell has", async () => {
    const error = await parseText("Konto;Saldo\n1500;5,00\n", { columns: { account: 0, closing: "UB" } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CsvLayoutOptionError);
  });
});

describe("parseCsvTrialBalance row-level problems", () => {
  it("reports an unparseable amount with line, field column and account, and leaves that figure out", async () => {
    const { accounts, issues } = await parseText("Konto;Navn;IB;UB\n1500;Kunder;1,00;2,00\n1920;Bank;abc;3,00\n");
    expect(accounts[1]).toMatchObject({ id: "1920", closing: 300n });
    expect(accounts[1]!.opening).toBeUndefined();
    expect(issues.find((issue) => issue.code === "CSV_INVALID_AMOUNT")).toMatchObject({
      severity: "error",
      account: "1920",
      location: { line: 3, column: 3 },
    });
  });

  it("warns about a row with fewer cells than the layout needs", async () => {
    const { accounts, issues } = await parseText("Konto;Navn;IB;UB\n1500;Kunder;1,00\n");
    expect(accounts[0]).toMatchObject({ opening: 100n });
    expect(accounts[0]!.closing).toBeUndefined();
    expect(issues.find((issue) => issue.code === "CSV_ROW_TOO_SHORT")).toMatchObject({
      severity: "warning",
      location: { line: 2, column: 4 },
    });
  });

  it("accepts account and name in one cell when there is no name column", async () => {
    const { accounts } = await parseText(
      "Konto;Saldo\n1920 - Bankinnskudd;10,00\n1500 Kunder;5,00\nSum 1000-1999;15,00\n",
    );
    expect(accounts.map((account) => [account.id, account.name])).toEqual([
      ["1920", "Bankinnskudd"],
      ["1500", "Kunder"],
    ]);
  });

  it("reads a balance column with plain integers, assuming decimal comma after ';'", async () => {
    const { accounts, header } = await parseText("Konto;UB\n1500;100\n1920;-100\n");
    expect(header.formatVersion).toBe("semicolon/decimal-comma/header");
    expect(accounts.map((account) => account.closing)).toEqual([10000n, -10000n]);
  });

  it("reports a late encoding decision when the head is plain ASCII", async () => {
    const ascii = "Konto;Navn;Saldo\n" + "1500;Kunder;1,00\n".repeat(5000);
    const bytes = Buffer.concat([Buffer.from(ascii), iconv.encode("2400;Leverandørgjeld;-1,00\n", "windows-1252")]);
    const { header, accounts, issues } = await parseBytes(new Uint8Array(bytes));
    expect(header.encoding).toBe("utf-8");
    expect(accounts.at(-1)?.name).toBe("Leverandørgjeld");
    expect(issues.map((issue) => issue.code)).toContain("CSV_ENCODING_DECIDED_LATE");
  });

  it("reads a file larger than the detection sample and batch size with flat output", async () => {
    const rows = Array.from({ length: 20000 }, (_, index) => `${10000 + index};Konto ${index};1 000,00;-1 000,00;0,00`);
    const text = "Konto;Navn;IB;Endring;UB\n" + rows.join("\n") + "\n";
    const { accounts } = await parseText(text);
    expect(accounts).toHaveLength(20000);
    expect(total(accounts, "opening")).toBe("20000000.00");
    expect(accounts.at(-1)).toMatchObject({ id: "29999", location: { line: 20001, column: 1 } });
  });
});

describe("parseCsvTrialBalance malformed input", () => {
  it("throws CSV_EMPTY for an empty file", async () => {
    const error = await parseBytes(new Uint8Array()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MalformedInputError);
    expect((error as MalformedInputError).code).toBe("CSV_EMPTY");
  });

  it("throws CSV_BINARY_CONTENT for binary junk", async () => {
    const junk = new Uint8Array(4096);
    let seed = 7;
    for (let index = 0; index < junk.length; index++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      junk[index] = seed % 256;
    }
    const error = await parseBytes(junk, { fileName: "junk.bin" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MalformedInputError);
    expect((error as MalformedInputError).code).toBe("CSV_BINARY_CONTENT");
    expect((error as Error).message).toMatch(/^junk\.bin:1:1: /);
  });

  it("yields the header and an error issue for a header-only file", async () => {
    const { header, accounts, issues } = await parseText("Konto;Kontonavn;IB;UB\r\n");
    expect(header.formatVersion).toBe("semicolon/decimal-comma/header");
    expect(accounts).toEqual([]);
    expect(issues.find((issue) => issue.code === "CSV_NO_ACCOUNT_ROWS")).toMatchObject({ severity: "error" });
  });

  it("throws CSV_QUOTE_NOT_CLOSED at the record whose quote never closes", async () => {
    const error = await parseText('Konto;Navn;UB\n1500;Kunder;1,00\n1920;"Bank;2,00\n2400;Lev;3,00\n').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MalformedInputError);
    expect((error as MalformedInputError).code).toBe("CSV_QUOTE_NOT_CLOSED");
    expect((error as MalformedInputError).location).toEqual({ line: 3, column: 1 });
  });

  it("throws AmbiguousLayoutError for text that is no trial balance", async () => {
    const error = await parseText("Dette er ikke en saldobalanse.\nBare tekst.\n").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AmbiguousLayoutError);
    expect((error as Error).message).toContain(
      "found no delimiter that gives rows with an account number and an amount",
    );
  });
});
